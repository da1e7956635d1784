import { TokenRevokedError } from '../errors.js'
import type { ResolvedConfig } from '../lib/config.js'
import type { AccessTokenClaims } from '../types.js'

/**
 * The I/O half of verification, for sensitive routes: the `jti` must not be on the denylist
 * and `ver` must not be older than the user's current token version. Runs after the signature
 * and claims have been verified. Store errors propagate unchanged (a fail-closed denylist
 * throws `RevocationUnavailableError` itself).
 *
 * Internal; users reach it through `verifyAccessToken(token, { checkRevocation: true })`.
 *
 * @throws TypeError when no denylist or no token version store is configured: asking for a
 *   revocation check that cannot be made must never pass silently.
 * @throws TokenRevokedError `ERR_ACCESS_TOKEN_DENIED` or `ERR_TOKEN_VERSION_STALE`.
 */
export async function checkRevocation(
  config: ResolvedConfig,
  claims: AccessTokenClaims,
): Promise<void> {
  const { denylist, tokenVersionStore } = config
  if (!denylist || !tokenVersionStore) {
    throw new TypeError('checkRevocation needs the `denylist` and `tokenVersionStore` options')
  }

  const [denied, currentVersion] = await Promise.all([
    denylist.has(claims.jti),
    tokenVersionStore.get(claims.sub),
  ])
  if (denied) throw new TokenRevokedError('ERR_ACCESS_TOKEN_DENIED', 'access token is denied')

  // A token without a usable `ver` predates every bump, so it is stale once the user has one.
  const version = typeof claims.ver === 'number' && Number.isFinite(claims.ver) ? claims.ver : 0
  if (version < currentVersion) {
    throw new TokenRevokedError('ERR_TOKEN_VERSION_STALE', 'token version is stale')
  }
}
