import type { AccessTokenIssuer } from '../access-token/issue.js'
import { InvalidRefreshTokenError, RefreshTokenReuseError } from '../errors.js'
import type { ResolvedConfig } from '../lib/config.js'
import { denylistAll } from '../token-family/revoke.js'
import type {
  IssuedAccessToken,
  RefreshTokenOptions,
  RefreshTokenRecord,
  TokenPair,
} from '../types.js'
import { findPresented, newRecord, requireRefreshSetup } from './record.js'
import {
  deriveSuccessorSecret,
  formatRefreshToken,
  hashDevice,
  hashesEqual,
  hashSecret,
  randomTokenId,
} from './secrets.js'

async function revokeForReuse(
  config: ResolvedConfig,
  record: RefreshTokenRecord,
  presentedDeviceHash: string | null,
  detail: { reason: 'used' | 'device-mismatch'; sinceRotationMs: number | null; race: boolean },
  revoked: readonly IssuedAccessToken[],
  now: Date,
): Promise<never> {
  config.emit({
    type: 'reuse.detected',
    familyId: record.familyId,
    tokenId: record.id,
    userId: record.userId,
    generation: record.generation,
    deviceHash: record.deviceHash,
    presentedDeviceHash,
    sinceRotationMs: detail.sinceRotationMs,
    likely: detail.race ? 'race' : 'theft',
    reason: detail.reason,
    at: now,
  })
  config.emit({
    type: 'family.revoked',
    familyId: record.familyId,
    userId: record.userId,
    reason: 'reuse',
    at: now,
  })
  await denylistAll(config, revoked, now)
  throw new RefreshTokenReuseError(record.familyId)
}

/** See {@link Tessera.refreshTokens}. */
export async function refreshTokens(
  config: ResolvedConfig,
  issuer: AccessTokenIssuer,
  refreshToken: string,
  options?: RefreshTokenOptions,
): Promise<TokenPair> {
  const { secret: key, store } = requireRefreshSetup(config)
  // Every rejection up to the device check costs one store lookup, one hash and one
  // constant-time comparison and no further I/O, so that neither the error nor the timing
  // tells malformed, unknown, wrong-secret, revoked and expired tokens apart.
  const presented = await findPresented(store, refreshToken)
  const now = config.clock()
  if (!presented) throw new InvalidRefreshTokenError()
  const { record, secret: presentedSecret } = presented
  const nowMs = now.getTime()
  const expired = record.expiresAt.getTime() <= nowMs || record.familyExpiresAt.getTime() <= nowMs
  if (record.revokedAt || expired) throw new InvalidRefreshTokenError()

  const presentedDeviceHash = hashDevice(key, options?.device)
  if (record.deviceHash !== null && record.deviceHash !== presentedDeviceHash) {
    const revoked = await store.revokeFamily(record.familyId, now)
    const sinceRotationMs = record.usedAt ? nowMs - record.usedAt.getTime() : null
    return revokeForReuse(
      config,
      record,
      presentedDeviceHash,
      { reason: 'device-mismatch', sinceRotationMs, race: false },
      revoked,
      now,
    )
  }

  const role = config.resolveRole ? await config.resolveRole(record.userId) : undefined
  const issued = await issuer.issue(record.userId, role)
  const accessToken: IssuedAccessToken = { jti: issued.jti, expiresAt: issued.expiresAt }
  const successorSecret = deriveSuccessorSecret(key, presentedSecret)
  const outcome = await store.rotate({
    tokenId: record.id,
    successor: newRecord(
      config,
      {
        id: randomTokenId(),
        familyId: record.familyId,
        userId: record.userId,
        tokenHash: hashSecret(successorSecret),
        generation: record.generation + 1,
        parentId: record.id,
        deviceHash: record.deviceHash,
        familyExpiresAt: record.familyExpiresAt,
        accessTokens: [accessToken],
      },
      now,
    ),
    accessToken,
    deviceHash: presentedDeviceHash,
    graceMs: config.rotationGraceSeconds * 1000,
    now,
  })

  if (outcome.status === 'invalid') throw new InvalidRefreshTokenError()
  if (outcome.status === 'reused') {
    return revokeForReuse(
      config,
      outcome.record,
      presentedDeviceHash,
      { reason: 'used', sinceRotationMs: outcome.sinceRotationMs, race: outcome.withinGrace },
      outcome.revoked,
      now,
    )
  }
  // The stored successor of a replay must be the one derived from this very secret; otherwise
  // the server key changed in between and the successor cannot be reproduced.
  const { successor } = outcome
  if (
    outcome.status === 'replayed' &&
    !hashesEqual(hashSecret(successorSecret), successor.tokenHash)
  ) {
    throw new InvalidRefreshTokenError()
  }

  const fields = {
    familyId: record.familyId,
    tokenId: record.id,
    successorId: successor.id,
    userId: record.userId,
    generation: successor.generation,
    deviceHash: record.deviceHash,
    at: now,
  }
  config.emit(
    outcome.status === 'rotated'
      ? { type: 'token.rotated', ...fields }
      : { type: 'token.grace-replay', ...fields, sinceRotationMs: outcome.sinceRotationMs },
  )
  return {
    accessToken: issued.token,
    refreshToken: formatRefreshToken(successor.id, successorSecret),
  }
}
