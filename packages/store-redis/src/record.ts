import type { IssuedAccessToken, RefreshTokenRecord } from '@tessera/core'

// Extra time a key outlives the expiry it serves, so that checks near the boundary are decided
// by the stored timestamps (and report `expired`) rather than by a key that has just vanished,
// and so that small clock differences between app instances do not matter.
export const RETENTION_SLACK_MS = 60_000

interface StoredAccessToken {
  jti: string
  exp: number
}

/** One access token as the JSON element appended to a record's `accessTokens` field. */
export function encodeAccessToken(token: IssuedAccessToken): string {
  return JSON.stringify({ jti: token.jti, exp: token.expiresAt.getTime() })
}

export function decodeAccessTokens(json: string): IssuedAccessToken[] {
  const list = JSON.parse(json) as StoredAccessToken[]
  return list.map((token) => ({ jti: token.jti, expiresAt: new Date(token.exp) }))
}

/** Flattens a record into hash field/value pairs; null fields are left out. */
export function encodeRecord(record: RefreshTokenRecord): string[] {
  const fields: Array<[string, string | null]> = [
    ['id', record.id],
    ['familyId', record.familyId],
    ['userId', record.userId],
    ['tokenHash', record.tokenHash],
    ['generation', String(record.generation)],
    ['parentId', record.parentId],
    ['deviceHash', record.deviceHash],
    ['createdAt', String(record.createdAt.getTime())],
    ['expiresAt', String(record.expiresAt.getTime())],
    ['familyExpiresAt', String(record.familyExpiresAt.getTime())],
    ['usedAt', record.usedAt ? String(record.usedAt.getTime()) : null],
    ['successorId', record.successorId],
    ['revokedAt', record.revokedAt ? String(record.revokedAt.getTime()) : null],
    ['accessTokens', `[${record.accessTokens.map(encodeAccessToken).join(',')}]`],
  ]
  return fields.flatMap(([field, value]) => (value === null ? [] : [field, value]))
}

function date(value: string | undefined): Date | null {
  return value === undefined ? null : new Date(Number(value))
}

/** Rebuilds a record from a flat `HGETALL` reply; null when the hash does not exist. */
export function decodeRecord(flat: readonly string[]): RefreshTokenRecord | null {
  if (flat.length === 0) return null
  const map = new Map<string, string>()
  for (let index = 0; index + 1 < flat.length; index += 2) {
    map.set(flat[index] as string, flat[index + 1] as string)
  }
  const required = (field: string) => {
    const value = map.get(field)
    if (value === undefined) throw new Error(`stored refresh token lacks field ${field}`)
    return value
  }
  return {
    id: required('id'),
    familyId: required('familyId'),
    userId: required('userId'),
    tokenHash: required('tokenHash'),
    generation: Number(required('generation')),
    parentId: map.get('parentId') ?? null,
    deviceHash: map.get('deviceHash') ?? null,
    createdAt: new Date(Number(required('createdAt'))),
    expiresAt: new Date(Number(required('expiresAt'))),
    familyExpiresAt: new Date(Number(required('familyExpiresAt'))),
    usedAt: date(map.get('usedAt')),
    successorId: map.get('successorId') ?? null,
    revokedAt: date(map.get('revokedAt')),
    accessTokens: decodeAccessTokens(map.get('accessTokens') ?? '[]'),
  }
}

/** Latest moment a token's key is needed: its own expiry or its last access token's. */
export function tokenRetainedUntil(record: RefreshTokenRecord): number {
  const accessExpiries = record.accessTokens.map((token) => token.expiresAt.getTime())
  return Math.max(record.expiresAt.getTime(), ...accessExpiries)
}

/** Latest moment a family's index keys are needed. */
export function familyRetainedUntil(record: RefreshTokenRecord): number {
  return Math.max(record.familyExpiresAt.getTime(), tokenRetainedUntil(record))
}

/**
 * Relative TTL in ms for a key needed until `untilMs`, measured against the caller's clock
 * (`referenceMs`) rather than Redis' own, so that an injected clock and clock skew between the
 * app and Redis do not shorten a record's life.
 */
export function retentionMs(untilMs: number, referenceMs: number): number {
  return Math.max(0, untilMs - referenceMs) + RETENTION_SLACK_MS
}
