import { randomBytes } from 'node:crypto'
import type { RefreshTokenRecord, RotateRequest } from '@tessera/core'

export const HOUR_MS = 3600_000

export function randomId(): string {
  return randomBytes(16).toString('base64url')
}

export function at(base: Date, offsetMs: number): Date {
  return new Date(base.getTime() + offsetMs)
}

/** A first-of-family refresh token record, live for an hour after `now`. */
export function firstToken(now: Date, overrides: Partial<RefreshTokenRecord> = {}) {
  return {
    id: randomId(),
    familyId: randomId(),
    userId: 'user-1',
    tokenHash: randomId(),
    generation: 0,
    parentId: null,
    deviceHash: null,
    createdAt: now,
    expiresAt: at(now, HOUR_MS),
    familyExpiresAt: at(now, 24 * HOUR_MS),
    usedAt: null,
    successorId: null,
    revokedAt: null,
    accessTokens: [{ jti: randomId(), expiresAt: at(now, HOUR_MS / 4) }],
    ...overrides,
  } satisfies RefreshTokenRecord
}

/** A rotation request for `parent`, with a fresh successor and access token. */
export function rotationOf(parent: RefreshTokenRecord, now: Date, graceMs = 0): RotateRequest {
  const accessToken = { jti: randomId(), expiresAt: at(now, HOUR_MS / 4) }
  return {
    tokenId: parent.id,
    successor: {
      ...firstToken(now),
      familyId: parent.familyId,
      userId: parent.userId,
      deviceHash: parent.deviceHash,
      familyExpiresAt: parent.familyExpiresAt,
      generation: parent.generation + 1,
      parentId: parent.id,
      accessTokens: [accessToken],
    },
    accessToken,
    deviceHash: parent.deviceHash,
    graceMs,
    now,
  }
}
