import type { AccessTokenIssuer } from '../access-token/issue.js'
import type { ResolvedConfig } from '../lib/config.js'
import type { Tessera } from '../tessera.js'
import {
  revokeAccessToken,
  revokeAllUserTokens,
  revokeRefreshToken,
  revokeTokenFamily,
} from '../token-family/revoke.js'
import { generateRefreshToken, issueTokens } from './issue.js'
import { refreshTokens } from './rotate.js'

/** The refresh-token half of the {@link Tessera} facade. */
export type RefreshTokenService = Pick<
  Tessera,
  | 'generateRefreshToken'
  | 'issueTokens'
  | 'refreshTokens'
  | 'revokeRefreshToken'
  | 'revokeTokenFamily'
  | 'revokeAllUserTokens'
  | 'revokeAccessToken'
  | 'cleanup'
>

/**
 * Builds the refresh-token operations of a Tessera instance on the resolved options: token
 * families (refresh-token/issue.ts), single-use rotation with reuse detection and grace replay
 * (refresh-token/rotate.ts), revocation (token-family/revoke.ts) and cleanup.
 * Internal; users reach it through {@link createTessera}.
 */
export function createRefreshTokenService(
  config: ResolvedConfig,
  issuer: AccessTokenIssuer,
): RefreshTokenService {
  return {
    generateRefreshToken: (userId, options) =>
      generateRefreshToken(config, issuer, userId, options),
    issueTokens: (userId, options) => issueTokens(config, issuer, userId, options),
    refreshTokens: (refreshToken, options) => refreshTokens(config, issuer, refreshToken, options),
    revokeRefreshToken: (refreshToken) => revokeRefreshToken(config, refreshToken),
    revokeTokenFamily: (familyId) => revokeTokenFamily(config, familyId),
    revokeAllUserTokens: (userId) => revokeAllUserTokens(config, userId),
    revokeAccessToken: (jti, exp) => revokeAccessToken(config, jti, exp),

    async cleanup() {
      const now = config.clock()
      const [refreshTokens, denylist] = await Promise.all([
        config.refreshTokenStore ? config.refreshTokenStore.deleteExpired(now) : 0,
        config.denylist ? config.denylist.deleteExpired(now) : 0,
      ])
      return { refreshTokens, denylist }
    },
  }
}
