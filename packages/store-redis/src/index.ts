// The public surface of @tessera/store-redis: explicit named re-exports only.

export type { RedisDenylistOptions, RevocationUnavailableEvent } from './denylist.js'
export { createRedisDenylist } from './denylist.js'
export type { RedisClient, RedisStoreOptions, UnavailablePolicy } from './options.js'
export type { RedisRefreshTokenStoreOptions } from './refresh-token-store.js'
export { createRedisRefreshTokenStore } from './refresh-token-store.js'
export type { RedisStores, RedisStoresOptions } from './stores.js'
export { createRedisStores } from './stores.js'
export type { RedisTokenVersionStoreOptions } from './token-version-store.js'
export { createRedisTokenVersionStore } from './token-version-store.js'
