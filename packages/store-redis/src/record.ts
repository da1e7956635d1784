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

/** Every field a stored record can have, in the order `findById` reads them with `HMGET`. */
export const RECORD_FIELDS = [
  'id',
  'familyId',
  'userId',
  'tokenHash',
  'generation',
  'parentId',
  'deviceHash',
  'createdAt',
  'expiresAt',
  'familyExpiresAt',
  'usedAt',
  'successorId',
  'revokedAt',
  'accessTokens',
] as const

/**
 * Rebuilds a record from an `HMGET` reply for {@link RECORD_FIELDS} (null for a field the hash
 * lacks); null when the hash does not exist.
 */
export function decodeFields(values: readonly (string | null)[]): RefreshTokenRecord | null {
  const flat = RECORD_FIELDS.flatMap((field, index) => {
    const value = values[index]
    return value === null || value === undefined ? [] : [field, value]
  })
  return decodeRecord(flat)
}

/**
 * An `HMGET` reply shaped like a stored record's (same fields, same value lengths), that
 * `findById` decodes for an unknown id so that the client does the same decoding work as for a
 * known one. It names no real token.
 */
export const STAND_IN_VALUES: readonly (string | null)[] = (() => {
  const epochMs = String(Date.UTC(2000, 0, 1))
  const stand: Partial<Record<(typeof RECORD_FIELDS)[number], string>> = {
    id: 'A'.repeat(22),
    familyId: 'A'.repeat(22),
    userId: 'stand-in',
    tokenHash: 'A'.repeat(43),
    generation: '0',
    createdAt: epochMs,
    expiresAt: epochMs,
    familyExpiresAt: epochMs,
    accessTokens: `[${encodeAccessToken({ jti: 'A'.repeat(22), expiresAt: new Date(0) })}]`,
  }
  return RECORD_FIELDS.map((field) => stand[field] ?? null)
})()

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
