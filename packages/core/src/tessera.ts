import { createAccessTokenIssuer } from './access-token/issue.js'
import { checkRevocation } from './access-token/revocation.js'
import { createVerifiedTokenCache } from './access-token/verified-cache.js'
import { createAccessTokenVerifier } from './access-token/verify.js'
import { resolveConfig } from './lib/config.js'
import { createRefreshTokenService } from './refresh-token/service.js'
import type {
  RefreshTokenOptions,
  TesseraOptions,
  TokenPair,
  VerifiedAccessToken,
  VerifyOptions,
} from './types.js'

/** The configured Tessera instance returned by {@link createTessera}. */
export interface Tessera {
  /** Signs an access token for `userId` with the active key. */
  generateAccessToken(userId: string, role?: string): Promise<string>
  /**
   * Verifies an access token (size, header, signature, claims). No I/O unless
   * `checkRevocation` is set, which also consults the denylist and token version.
   */
  verifyAccessToken(token: string, options?: VerifyOptions): Promise<VerifiedAccessToken>
  /**
   * Starts a token family and returns its first refresh token (`<id>.<secret>`). Rejects like
   * {@link Tessera.issueTokens} when `revokeAllUserTokens` ran for the user meanwhile.
   */
  generateRefreshToken(userId: string, options?: RefreshTokenOptions): Promise<string>
  /**
   * Login: an access token and the first refresh token of a new family, linked together.
   * Rejects with `ERR_REFRESH_TOKEN_INVALID` (after revoking the new family) when
   * `revokeAllUserTokens` ran for the user meanwhile; the caller may retry.
   */
  issueTokens(userId: string, options?: RefreshTokenOptions & { role?: string }): Promise<TokenPair>
  /** Rotates a refresh token: single use, reuse detection, grace replay. */
  refreshTokens(refreshToken: string, options?: RefreshTokenOptions): Promise<TokenPair>
  /**
   * Logout: revokes the token family of a refresh token and denylists its access tokens. Takes
   * the whole `<id>.<secret>` (a logout route passes the cookie as is) and revokes only when
   * the secret matches. A bare id, a malformed or unknown token and a wrong secret revoke
   * nothing, without an error and after the same work as a valid token, so the call tells a
   * caller nothing about which ids exist.
   *
   * @example
   * ```ts
   * const cookie = request.cookies.refresh_token
   * if (cookie) await tessera.revokeRefreshToken(cookie)
   * ```
   */
  revokeRefreshToken(refreshToken: string): Promise<void>
  /**
   * Administrative revocation by family id, without the token's secret: revokes every refresh
   * token of the family, denylists their access tokens and emits `family.revoked` (reason
   * `revoked`) when the family's first token is still stored to name the user. An unknown id
   * does nothing; an empty one throws a `TypeError`. For server-side code acting on its own
   * authority (an admin action after its role check, a reaction to an audit event), never to
   * let a client log out with an id: ids are not secret (a `RefreshTokenReuseError` carries
   * one as `familyId`), so logout goes through {@link Tessera.revokeRefreshToken}.
   *
   * @example
   * ```ts
   * // An administrator ends one session of a user, from the family id of an audit event.
   * await tessera.revokeTokenFamily(event.familyId)
   * ```
   */
  revokeTokenFamily(familyId: string): Promise<void>
  /**
   * Bumps the user's token version, then revokes every refresh token of the user and
   * denylists their access tokens. A login running at the same time on any instance fails
   * with `ERR_REFRESH_TOKEN_INVALID` and leaves nothing usable, as long as that instance has
   * the same `tokenVersionStore`: without one, a login has no version to compare and can
   * outlive a concurrent logout-everywhere.
   */
  revokeAllUserTokens(userId: string): Promise<void>
  /** Puts an access token's `jti` on the denylist until `exp` (seconds since epoch). */
  revokeAccessToken(jti: string, exp: number): Promise<void>
  /** Deletes expired refresh tokens and denylist entries. */
  cleanup(): Promise<{ refreshTokens: number; denylist: number }>
}

/**
 * Creates a Tessera instance: the one place options are validated and defaults applied.
 *
 * @example
 * ```ts
 * import { createTessera, generateKeySet, createMemoryStores } from '@tessera/core'
 *
 * const tessera = createTessera({
 *   keys: await generateKeySet('ES256'),
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://api.example.com',
 *   secret: process.env.TESSERA_SECRET,
 *   ...createMemoryStores(),
 * })
 * const { accessToken, refreshToken } = await tessera.issueTokens('user-1', { device: 'd1' })
 * ```
 */
export function createTessera(options: TesseraOptions): Tessera {
  const config = resolveConfig(options)
  const issuer = createAccessTokenIssuer(config)
  const fullVerify = createAccessTokenVerifier(config)
  // Opt-in, per instance: the cache is scoped to this verifier's keys and policy.
  const verify =
    config.verifiedTokenCacheEntries === null
      ? fullVerify
      : createVerifiedTokenCache(fullVerify, {
          maxEntries: config.verifiedTokenCacheEntries,
          clock: config.clock,
        })
  const refresh = createRefreshTokenService(config, issuer)

  return {
    generateAccessToken: async (userId, role) => (await issuer.issue(userId, role)).token,
    verifyAccessToken: async (token, verifyOptions) => {
      const verified = await verify(token)
      if (verifyOptions?.checkRevocation) await checkRevocation(config, verified.claims)
      return verified
    },
    generateRefreshToken: refresh.generateRefreshToken,
    issueTokens: refresh.issueTokens,
    refreshTokens: refresh.refreshTokens,
    revokeRefreshToken: refresh.revokeRefreshToken,
    revokeTokenFamily: refresh.revokeTokenFamily,
    revokeAllUserTokens: refresh.revokeAllUserTokens,
    revokeAccessToken: refresh.revokeAccessToken,
    cleanup: refresh.cleanup,
  }
}
