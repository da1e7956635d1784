import type { Denylist } from '../types.js'

/** Options of {@link createMemoryDenylist}. */
export interface MemoryDenylistOptions {
  /**
   * Clock deciding when entries have expired, injectable for tests.
   * @default () => new Date()
   */
  clock?: () => Date
}

/**
 * Creates an in-process {@link Denylist} for tests and single-process apps. Entries are
 * forgotten after their expiry, lazily on `has` and in `deleteExpired`; there is no timer, so
 * the denylist never keeps a process alive.
 *
 * @example
 * ```ts
 * import { createMemoryDenylist } from '@tessera/core'
 *
 * const denylist = createMemoryDenylist()
 * await denylist.add(claims.jti, new Date(claims.exp * 1000))
 * await denylist.has(claims.jti) // true until the token expires
 * ```
 */
export function createMemoryDenylist(options: MemoryDenylistOptions = {}): Denylist {
  const clock = options.clock ?? (() => new Date())
  const entries = new Map<string, number>()

  return {
    async add(jti, expiresAt) {
      const expiresAtMs = expiresAt.getTime()
      if (expiresAtMs <= clock().getTime()) return
      entries.set(jti, Math.max(expiresAtMs, entries.get(jti) ?? 0))
    },

    async has(jti) {
      const expiresAtMs = entries.get(jti)
      if (expiresAtMs === undefined) return false
      if (expiresAtMs > clock().getTime()) return true
      entries.delete(jti)
      return false
    },

    async deleteExpired(now) {
      let deleted = 0
      for (const [jti, expiresAtMs] of entries) {
        if (expiresAtMs > now.getTime()) continue
        entries.delete(jti)
        deleted++
      }
      return deleted
    },
  }
}
