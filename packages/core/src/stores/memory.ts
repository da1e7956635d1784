import type { Denylist, RefreshTokenStore, TokenVersionStore } from '../types.js'
import { createMemoryDenylist, type MemoryDenylistOptions } from './memory-denylist.js'
import { createMemoryRefreshTokenStore } from './memory-refresh-token-store.js'
import { createMemoryTokenVersionStore } from './memory-token-version-store.js'

/** The three in-process stores, shaped to spread into {@link TesseraOptions}. */
export interface MemoryStores {
  refreshTokenStore: RefreshTokenStore
  denylist: Denylist
  tokenVersionStore: TokenVersionStore
}

/**
 * Creates all three in-process stores at once, for tests and single-process apps.
 *
 * @example
 * ```ts
 * import { createMemoryStores, createTessera } from '@tessera/core'
 *
 * const tessera = createTessera({
 *   keys,
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://api.example.com',
 *   secret: process.env.TESSERA_SECRET,
 *   ...createMemoryStores(),
 * })
 * ```
 */
export function createMemoryStores(options: MemoryDenylistOptions = {}): MemoryStores {
  return {
    refreshTokenStore: createMemoryRefreshTokenStore(),
    denylist: createMemoryDenylist(options),
    tokenVersionStore: createMemoryTokenVersionStore(),
  }
}
