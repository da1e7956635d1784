import type { Denylist, TesseraEvent } from '@tessera/core'
import { runCommand } from './command.js'
import { createKeys } from './keys.js'
import { type RedisStoreOptions, resolveStoreOptions, type UnavailablePolicy } from './options.js'
import { createRevocationRead } from './outage-policy.js'

/** The event a fail-open denylist emits instead of failing. */
export type RevocationUnavailableEvent = Extract<TesseraEvent, { type: 'revocation.unavailable' }>

/** Options of {@link createRedisDenylist}. */
export interface RedisDenylistOptions extends RedisStoreOptions {
  /**
   * What `has` does when Redis does not answer within `commandTimeoutMs`:
   * - `fail-closed`: throw core's `RevocationUnavailableError` (`ERR_REVOCATION_UNAVAILABLE`),
   *   so the sensitive request is refused (the demo answers 503);
   * - `fail-open`: answer "not denylisted" and emit a `revocation.unavailable` event, so a
   *   revoked access token is accepted until Redis is back or the token expires.
   * Writes (`add`) always fail with `StoreUnavailableError`, whatever the policy.
   * @default 'fail-closed'
   */
  onUnavailable?: UnavailablePolicy
  /**
   * Receives `revocation.unavailable` events (with the `jti`, never the token) when a
   * fail-open check passes without Redis. Pass the same handler as Tessera's `onEvent`.
   * Errors it throws are swallowed.
   */
  onEvent?: (event: RevocationUnavailableEvent) => void
  /**
   * Clock deciding whether an entry has expired, injectable for tests.
   * @default () => new Date()
   */
  clock?: () => Date
}

/**
 * Creates a {@link Denylist} on Redis. Revoking a `jti` writes one key that Redis deletes when
 * the access token expires (`SET … PXAT`), so no cleanup job is needed and `deleteExpired`
 * returns 0; a lookup is one round trip (`GET`). The key stores the expiry too, so a lookup
 * also honours an injected clock.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * import { createRedisDenylist } from '@tessera/store-redis'
 *
 * const client = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 1 })
 * const denylist = createRedisDenylist({
 *   client,
 *   commandTimeoutMs: 250,
 *   onUnavailable: 'fail-closed', // `has` throws RevocationUnavailableError during an outage
 * })
 * await denylist.add(claims.jti, new Date(claims.exp * 1000))
 * ```
 */
export function createRedisDenylist(options: RedisDenylistOptions): Denylist {
  const { client, prefix, commandTimeoutMs } = resolveStoreOptions(options)
  const revocationRead = createRevocationRead(options.onUnavailable)
  const clock = options.clock ?? (() => new Date())
  const onEvent = options.onEvent
  const keys = createKeys(prefix)

  return {
    async add(jti, expiresAt) {
      const expiresAtMs = expiresAt.getTime()
      const remainingMs = expiresAtMs - clock().getTime()
      // An expired token is rejected by verification anyway: nothing to remember.
      if (!(remainingMs > 0)) return
      // PXAT on Redis' clock, shifted by the difference to ours: with the default clock this
      // is exactly the token's expiry.
      const deleteAtMs = Date.now() + remainingMs
      await runCommand(
        () => client.set(keys.denylist(jti), expiresAtMs, 'PXAT', deleteAtMs),
        commandTimeoutMs,
        'denylist add',
      )
    },

    async has(jti) {
      const stored = await revocationRead(
        () => runCommand(() => client.get(keys.denylist(jti)), commandTimeoutMs, 'denylist has'),
        null,
        () => onEvent?.({ type: 'revocation.unavailable', jti, at: clock() }),
      )
      return stored !== null && Number(stored) > clock().getTime()
    },

    async deleteExpired() {
      // Every entry carries PXAT; Redis deletes it when the token expires.
      return 0
    },
  }
}
