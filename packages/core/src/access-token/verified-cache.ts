import type { AccessTokenClaims, VerifiedAccessToken } from '../types.js'

/** A function that fully verifies an access token, as `createAccessTokenVerifier` returns. */
export type AccessTokenVerifierFn = (token: string) => Promise<VerifiedAccessToken>

/** Options of {@link createVerifiedTokenCache}. */
export interface VerifiedTokenCacheOptions {
  /** Most tokens remembered; the least recently used one is dropped beyond it. */
  maxEntries: number
  /**
   * Clock of the wrapped verifier, so that hits are judged at the same time it would judge.
   * @default () => new Date()
   */
  clock?: () => Date
}

/** A verifier that remembers tokens it verified; see {@link createVerifiedTokenCache}. */
export interface CachedAccessTokenVerifier extends AccessTokenVerifierFn {
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
 * Deep copy of a JSON value (claims come from JSON.parse). A `__proto__` key, which JSON.parse
 * makes an own property, is defined as one rather than assigned, so that the copy never gets
 * a different prototype and equals what a full verification returns.
 */
function copyJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) {
    const array = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) array[i] = copyJson(value[i])
    return array
  }
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    const inner = copyJson((value as Record<string, unknown>)[key])
    if (key === '__proto__') {
      Object.defineProperty(copy, key, {
        value: inner,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    } else {
      copy[key] = inner
    }
  }
  return copy
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
 * - each hit returns a fresh copy of the claims, so a caller mutating them cannot change what
 *   the next caller sees.
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
  verify: AccessTokenVerifierFn,
  options: VerifiedTokenCacheOptions,
): CachedAccessTokenVerifier {
  const { maxEntries } = options
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError('verifiedTokenCache.maxEntries must be a positive integer')
  }
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
        return {
          claims: copyJson(entry.result.claims) as AccessTokenClaims,
          kid: entry.result.kid,
        }
      }
      // Before nbf/iat (the clock moved back): fall through to a full verification.
    }

    const result = await verify(token)
    remember(token, result)
    return result
  }

  function remember(token: string, result: VerifiedAccessToken) {
    const { exp, nbf, iat } = result.claims
    if (typeof token !== 'string' || typeof exp !== 'number' || !Number.isFinite(exp)) return
    const expiresAtMs = exp * 1000
    if (clock().getTime() >= expiresAtMs) return
    const notBeforeMs = Math.max(
      typeof nbf === 'number' ? nbf * 1000 : Number.NEGATIVE_INFINITY,
      typeof iat === 'number' ? iat * 1000 : Number.NEGATIVE_INFINITY,
    )
    entries.delete(token)
    entries.set(token, {
      result: { claims: copyJson(result.claims) as AccessTokenClaims, kid: result.kid },
      notBeforeMs,
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
