import type { VerifiedAccessToken } from '../types.js'
import { deepFreeze } from './deep-freeze.js'
import type { AccessTokenVerifier } from './verify.js'

/** Options of {@link createVerifiedTokenCache}. */
export interface VerifiedTokenCacheOptions {
  /**
   * Most tokens remembered; the least recently used one is dropped beyond it. A positive
   * integer, validated by `resolveConfig` (`verifiedTokenCache.maxEntries`).
   */
  maxEntries: number
  /**
   * Clock of the wrapped verifier, so that hits are judged at the same time it would judge.
   * @default () => new Date()
   */
  clock?: () => Date
}

/** A verifier that remembers tokens it verified; see {@link createVerifiedTokenCache}. */
export interface CachedAccessTokenVerifier extends AccessTokenVerifier {
  /** Number of tokens currently remembered. */
  readonly size: number
  /** Forgets every remembered token. */
  clear(): void
}

interface Entry {
  result: VerifiedAccessToken
  /** Milliseconds since the epoch before which a hit is not served (`nbf`, `iat`). */
  notBeforeMs: number
  /** Milliseconds since the epoch from which the entry is dead (`exp`). */
  expiresAtMs: number
}

/**
 * Wraps a full access-token verifier with a bounded LRU of tokens it has verified, keyed by
 * the whole token string. Meant for the common case where a client presents the same access
 * token on every request until it expires.
 *
 * The rules that keep a hit equal to what a full verification would return at that moment:
 * - only successes are remembered; a failure is never cached, so a bad token is re-verified
 *   (and fails) every time, and no one can fill the cache with rejections;
 * - an entry is served only while the current clock is inside `[max(nbf, iat), exp)` with no
 *   tolerance at all; outside that window (near expiry, clock moved back, `nbf` not reached)
 *   the entry is dropped or skipped and the wrapped verifier decides, with its own tolerance
 *   and its own error. An entry therefore never outlives `exp`;
 * - the claims are deeply frozen, and a hit returns the very claims object the miss returned:
 *   a caller cannot change what the next caller sees, and a hit costs no copy. Hit and miss
 *   behave the same: both return frozen claims.
 *
 * The cache belongs to one verifier and therefore one policy (keys, issuer, audience,
 * algorithms, tolerance); it must never be shared between verifiers. Key sets are immutable
 * per verifier: a key removed from service takes a new verifier, and with it a new, empty
 * cache. Revocation (denylist, token version) is not the verifier's job and is never cached.
 *
 * @example
 * ```ts
 * const verify = createVerifiedTokenCache(createAccessTokenVerifier(config), {
 *   maxEntries: 10_000,
 *   clock: config.clock,
 * })
 * const { claims } = await verify(token)
 * ```
 */
export function createVerifiedTokenCache(
  verify: AccessTokenVerifier,
  options: VerifiedTokenCacheOptions,
): CachedAccessTokenVerifier {
  // `resolveConfig` has validated maxEntries (a positive integer).
  const { maxEntries } = options
  const clock = options.clock ?? (() => new Date())
  // A Map keeps insertion order: re-inserting on a hit moves the entry to the young end.
  const entries = new Map<string, Entry>()

  const cached = async (token: string): Promise<VerifiedAccessToken> => {
    const entry = typeof token === 'string' ? entries.get(token) : undefined
    if (entry) {
      const nowMs = clock().getTime()
      if (nowMs >= entry.expiresAtMs) {
        entries.delete(token)
      } else if (nowMs >= entry.notBeforeMs) {
        entries.delete(token)
        entries.set(token, entry)
        return { claims: entry.result.claims, kid: entry.result.kid }
      }
      // Before nbf/iat (the clock moved back): fall through to a full verification.
    }

    const result = await verify(token)
    remember(token, result)
    return result
  }

  // The verifier guarantees a string token and numeric exp and iat claims.
  function remember(token: string, result: VerifiedAccessToken) {
    // In place, so that the miss returns the same frozen claims every later hit returns. The
    // verifier freezes them already; the cache, which shares them, does not rely on it.
    deepFreeze(result.claims)
    const { exp, nbf, iat } = result.claims
    const expiresAtMs = exp * 1000
    // Accepted within the clock tolerance after exp: valid now, but never served from here.
    if (clock().getTime() >= expiresAtMs) return
    entries.delete(token)
    entries.set(token, {
      result: { claims: result.claims, kid: result.kid },
      notBeforeMs: Math.max(nbf ?? Number.NEGATIVE_INFINITY, iat) * 1000,
      expiresAtMs,
    })
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next().value as string
      entries.delete(oldest)
    }
  }

  return Object.defineProperties(cached, {
    size: { get: () => entries.size, enumerable: true },
    clear: { value: () => entries.clear(), enumerable: true },
  }) as CachedAccessTokenVerifier
}
