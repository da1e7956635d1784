import type { Denylist, RefreshTokenStore, TokenVersionStore } from '@tessera/core'
import { createRedisDenylist, type RedisDenylistOptions } from './denylist.js'
import { createRedisRefreshTokenStore } from './refresh-token-store.js'
import { createRedisTokenVersionStore } from './token-version-store.js'

/** Options of {@link createRedisStores}: those of the denylist, shared by all three stores. */
export interface RedisStoresOptions extends RedisDenylistOptions {}

/** The three Redis stores, shaped to spread into `createTessera` options. */
export interface RedisStores {
  refreshTokenStore: RefreshTokenStore
  denylist: Denylist
  tokenVersionStore: TokenVersionStore
}

/**
 * Creates the denylist, the refresh-token store and the token version store on one client
 * and prefix. `onUnavailable` applies to both revocation reads (denylist and token version).
 *
 * @example
 * ```ts
 * import { createTessera } from '@tessera/core'
 * import { createRedisStores } from '@tessera/store-redis'
 * import { Redis } from 'ioredis'
 *
 * const client = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 1 })
 * const tessera = createTessera({
 *   keys,
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://api.example.com',
 *   secret: process.env.TESSERA_SECRET,
 *   onEvent: (event) => logger.info({ event }, 'tessera event'),
 *   ...createRedisStores({ client, onEvent: (event) => logger.warn({ event }, 'fail-open') }),
 * })
 * ```
 */
export function createRedisStores(options: RedisStoresOptions): RedisStores {
  return {
    refreshTokenStore: createRedisRefreshTokenStore(options),
    denylist: createRedisDenylist(options),
    tokenVersionStore: createRedisTokenVersionStore(options),
  }
}
