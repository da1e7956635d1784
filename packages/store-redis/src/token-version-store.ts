import type { TokenVersionStore } from '@tessera/core'
import { runCommand } from './command.js'
import { createKeys } from './keys.js'
import { type RedisStoreOptions, resolveStoreOptions, type UnavailablePolicy } from './options.js'
import { createRevocationRead } from './outage-policy.js'

/** Options of {@link createRedisTokenVersionStore}. */
export interface RedisTokenVersionStoreOptions extends RedisStoreOptions {
  /**
   * What `get` does when Redis does not answer within `commandTimeoutMs`. Core reads the
   * token version next to the denylist on every revocation check, so a fail-open denylist
   * needs a fail-open token version store too, or the check fails anyway:
   * - `fail-closed`: throw `RevocationUnavailableError`;
   * - `fail-open`: answer 0 (every token version passes). No event is emitted here: the
   *   denylist consulted in the same check emits `revocation.unavailable`.
   * `bump` always fails with `StoreUnavailableError`.
   * @default 'fail-closed'
   */
  onUnavailable?: UnavailablePolicy
}

/**
 * Creates a {@link TokenVersionStore} on Redis: one counter per user (`INCR` / `GET`), kept
 * without expiry because an access token of any age must compare against it.
 *
 * @example
 * ```ts
 * import { createRedisTokenVersionStore } from '@tessera/store-redis'
 *
 * const tokenVersionStore = createRedisTokenVersionStore({ client })
 * await tokenVersionStore.bump('user-1') // 1
 * ```
 */
export function createRedisTokenVersionStore(
  options: RedisTokenVersionStoreOptions,
): TokenVersionStore {
  const { client, prefix, commandTimeoutMs } = resolveStoreOptions(options)
  const revocationRead = createRevocationRead(options.onUnavailable)
  const keys = createKeys(prefix)

  return {
    async get(userId) {
      // Failing open answers null, read as version 0: every token version passes.
      const stored = await revocationRead(
        () =>
          runCommand(
            () => client.get(keys.tokenVersion(userId)),
            commandTimeoutMs,
            'token version get',
          ),
        null,
      )
      return stored === null ? 0 : Number(stored)
    },

    async bump(userId) {
      return await runCommand(
        () => client.incr(keys.tokenVersion(userId)),
        commandTimeoutMs,
        'token version bump',
      )
    },
  }
}
