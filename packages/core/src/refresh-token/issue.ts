import type { AccessTokenIssuer } from '../access-token/issue.js'
import { InvalidRefreshTokenError } from '../errors.js'
import type { ResolvedConfig } from '../lib/config.js'
import { denylistAll } from '../token-family/revoke.js'
import type { IssuedAccessToken, RefreshTokenOptions, TokenPair } from '../types.js'
import { newRecord, requireRefreshSetup } from './record.js'
import {
  formatRefreshToken,
  hashDevice,
  hashSecret,
  randomSecret,
  randomTokenId,
} from './secrets.js'

/**
 * Login: starts a token family for `userId`, with a linked access token when `access` is
 * given.
 *
 * Racing `revokeAllUserTokens`: it bumps the user's version, then revokes the families that
 * exist. A login reads the version (v0) first, creates the family, then reads it again (v1).
 * The version store orders the bump against each read, and every step below completes
 * (committed, under READ COMMITTED too) before the next starts, so either:
 * - the bump comes before the v0 read: this login postdates the revocation and may live;
 * - the bump comes between the two reads: v1 !== v0, and this login revokes its own family
 *   and denylists its access token before anything leaves this function;
 * - the bump comes after the v1 read: the family was committed before the bump, hence before
 *   `revokeUser` starts, whose UPDATE (or scan) therefore sees and revokes it; the access
 *   token carries v0, older than the bump, so it is stale on checked routes.
 * v0 <= the access token's `ver` <= v1 (versions only grow), so v1 === v0 pins it too.
 * Without a token version store there is no version to compare: a login can then outlive a
 * concurrent logout-everywhere of another instance (this one cannot run it at all).
 */
async function startFamily(
  config: ResolvedConfig,
  issuer: AccessTokenIssuer,
  userId: string,
  options: RefreshTokenOptions | undefined,
  access: { role: string | undefined } | null,
): Promise<{ refreshToken: string; accessToken: string | null }> {
  const { secret: key, store } = requireRefreshSetup(config)
  if (typeof userId !== 'string' || userId === '') throw new TypeError('userId is required')

  const versions = config.tokenVersionStore
  const versionBefore = versions ? await versions.get(userId) : null
  const issued = access ? await issuer.issue(userId, access.role) : null
  const accessToken: IssuedAccessToken | null = issued
    ? { jti: issued.jti, expiresAt: issued.expiresAt }
    : null

  const now = config.clock()
  const id = randomTokenId()
  const secret = randomSecret()
  const record = newRecord(
    config,
    {
      id,
      familyId: id,
      userId,
      tokenHash: hashSecret(secret),
      generation: 0,
      parentId: null,
      deviceHash: hashDevice(key, options?.device),
      familyExpiresAt: new Date(now.getTime() + config.familyLifetimeSeconds * 1000),
      accessTokens: accessToken ? [accessToken] : [],
    },
    now,
  )
  await store.create(record)

  config.emit({
    type: 'family.started',
    familyId: record.familyId,
    tokenId: id,
    userId,
    deviceHash: record.deviceHash,
    at: now,
  })

  if (versions && (await versions.get(userId)) !== versionBefore) {
    // All tokens of the user were revoked while this login ran: undo it. The tokens never
    // leave this function, so the revocation is belt and braces.
    const revoked = await store.revokeFamily(record.familyId, now)
    config.emit({
      type: 'family.revoked',
      familyId: record.familyId,
      userId,
      reason: 'revoked',
      at: now,
    })
    await denylistAll(config, accessToken ? [...revoked, accessToken] : revoked, now)
    throw new InvalidRefreshTokenError()
  }
  return { refreshToken: formatRefreshToken(id, secret), accessToken: issued?.token ?? null }
}

/** See {@link Tessera.generateRefreshToken}. */
export async function generateRefreshToken(
  config: ResolvedConfig,
  issuer: AccessTokenIssuer,
  userId: string,
  options?: RefreshTokenOptions,
): Promise<string> {
  return (await startFamily(config, issuer, userId, options, null)).refreshToken
}

/** See {@link Tessera.issueTokens}. */
export async function issueTokens(
  config: ResolvedConfig,
  issuer: AccessTokenIssuer,
  userId: string,
  options?: RefreshTokenOptions & { role?: string },
): Promise<TokenPair> {
  const pair = await startFamily(config, issuer, userId, options, { role: options?.role })
  // startFamily returns an access token whenever it is asked for one.
  return { accessToken: pair.accessToken!, refreshToken: pair.refreshToken }
}
