import type { Jwks, Tessera, TesseraEvent } from '@tessera/core'
import type { AppConfig } from './config.js'
import type { UserRepository } from './users.js'

/** Result of one readiness probe. */
export type ProbeResult = 'ok' | 'unavailable'

/** What the routes need, built by `createRuntime` (or by a test). */
export interface AppContext {
  config: AppConfig
  tessera: Tessera
  users: UserRepository
  /** The public half of the key set. */
  jwks: () => Jwks
  /** Readiness probes by dependency name; each resolves, never rejects. */
  probes: Record<string, () => Promise<ProbeResult>>
  /**
   * Subscribes to Tessera's audit events (`onEvent`); returns the unsubscribe function. The
   * app uses it to log reuse detection for operators.
   */
  onTesseraEvent: (listener: (event: TesseraEvent) => void) => () => void
  /** Refresh token lifetime, for the cookie's Max-Age. */
  refreshTokenTtlSeconds: number
  /** Releases connections; called once when the app closes. */
  close: () => Promise<void>
}
