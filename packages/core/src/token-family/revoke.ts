import type { ResolvedConfig } from '../lib/config.js'
import { findPresented, requireRefreshSetup } from '../refresh-token/record.js'
import type { Denylist, IssuedAccessToken, TokenVersionStore } from '../types.js'

function requireDenylist(config: ResolvedConfig): Denylist {
  if (!config.denylist) throw new TypeError('revoking access tokens needs the `denylist` option')
  return config.denylist
}

function requireTokenVersionStore(config: ResolvedConfig): TokenVersionStore {
  if (!config.tokenVersionStore) {
    throw new TypeError('revoking all tokens of a user needs the `tokenVersionStore` option')
  }
  return config.tokenVersionStore
}

// The verifier accepts a token until `exp` plus the clock tolerance, so a denylist entry
// must outlive `exp` by the same tolerance, or a revoked token would come back to life.
function denylistUntil(config: ResolvedConfig, expiresAt: Date): Date {
  return new Date(expiresAt.getTime() + config.clockToleranceSeconds * 1000)
}

/**
 * Puts the still-valid access tokens of a revoked family on the denylist, when there is one.
 * Without a denylist they stay valid until their (short) expiry: the stateless trade-off.
 */
export async function denylistAll(
  config: ResolvedConfig,
  tokens: readonly IssuedAccessToken[],
  now: Date,
): Promise<void> {
  const denylist = config.denylist
  if (!denylist) return
  const entries = tokens.map((token) => ({
    jti: token.jti,
    until: denylistUntil(config, token.expiresAt),
  }))
  const live = entries.filter((entry) => entry.until.getTime() > now.getTime())
  await Promise.all(live.map((entry) => denylist.add(entry.jti, entry.until)))
}

/** See {@link Tessera.revokeRefreshToken}. */
export async function revokeRefreshToken(
  config: ResolvedConfig,
  refreshToken: string,
): Promise<void> {
  const { store } = requireRefreshSetup(config)
  // Only the whole `<id>.<secret>` with its secret revokes: knowing an id is not enough (a
  // family id appears in RefreshTokenReuseError.familyId). A bare id, a malformed token, an
  // unknown id and a wrong secret are all ignored after the same lookup, hash and comparison
  // as refreshTokens, so that neither the outcome nor the timing tells which ids exist.
  const presented = await findPresented(store, refreshToken)
  if (!presented) return

  const { record } = presented
  const now = config.clock()
  const revoked = await store.revokeFamily(record.familyId, now)
  config.emit({
    type: 'family.revoked',
    familyId: record.familyId,
    userId: record.userId,
    reason: 'logout',
    at: now,
  })
  await denylistAll(config, revoked, now)
}

/** See {@link Tessera.revokeTokenFamily}. */
export async function revokeTokenFamily(config: ResolvedConfig, familyId: string): Promise<void> {
  const { store } = requireRefreshSetup(config)
  if (typeof familyId !== 'string' || familyId === '') throw new TypeError('familyId is required')

  const now = config.clock()
  // The first token of a family has the family's id; it names the user for the event. Cleanup
  // may have deleted it (it expires before its successors), so the family is revoked anyway.
  const first = await store.findById(familyId)
  const revoked = await store.revokeFamily(familyId, now)
  if (first && first.familyId === familyId) {
    config.emit({
      type: 'family.revoked',
      familyId,
      userId: first.userId,
      reason: 'revoked',
      at: now,
    })
  }
  await denylistAll(config, revoked, now)
}

/** See {@link Tessera.revokeAllUserTokens}. */
export async function revokeAllUserTokens(config: ResolvedConfig, userId: string): Promise<void> {
  const { store } = requireRefreshSetup(config)
  const versions = requireTokenVersionStore(config)
  const now = config.clock()

  // Bump first: from here on, every access token issued before is stale on checked routes,
  // even if revoking the refresh tokens fails halfway, and a login still running sees the
  // change when it re-reads the version (see startFamily). Revoking before bumping would
  // let a family created in between escape both.
  const tokenVersion = await versions.bump(userId)
  const revoked = await store.revokeUser(userId, now)
  await denylistAll(config, revoked, now)
  config.emit({ type: 'user.revoked', userId, tokenVersion, at: now })
}

/** See {@link Tessera.revokeAccessToken}. */
export async function revokeAccessToken(
  config: ResolvedConfig,
  jti: string,
  exp: number,
): Promise<void> {
  const denylist = requireDenylist(config)
  if (typeof jti !== 'string' || jti === '') throw new TypeError('jti is required')
  if (!Number.isFinite(exp)) throw new TypeError('exp must be seconds since the epoch')
  const until = denylistUntil(config, new Date(exp * 1000))
  if (until.getTime() <= config.clock().getTime()) return
  await denylist.add(jti, until)
}
