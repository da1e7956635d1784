import type { TokenVersionStore } from '../types.js'

/**
 * Creates an in-process {@link TokenVersionStore} for tests and single-process apps.
 *
 * @example
 * ```ts
 * import { createMemoryTokenVersionStore } from '@tessera/core'
 *
 * const versions = createMemoryTokenVersionStore()
 * await versions.bump('user-1') // 1
 * await versions.get('user-1') // 1
 * ```
 */
export function createMemoryTokenVersionStore(): TokenVersionStore {
  const versions = new Map<string, number>()

  return {
    async get(userId) {
      return versions.get(userId) ?? 0
    },

    async bump(userId) {
      const next = (versions.get(userId) ?? 0) + 1
      versions.set(userId, next)
      return next
    },
  }
}
