import type { Jwks, Tessera } from '@tessera/core'
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
  /** Refresh token lifetime, for the cookie's Max-Age. */
  refreshTokenTtlSeconds: number
  /** Releases connections; called once when the app closes. */
  close: () => Promise<void>
}
