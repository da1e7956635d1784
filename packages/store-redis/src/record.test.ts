import type { RefreshTokenRecord } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { decodeFields, encodeRecord, RECORD_FIELDS, STAND_IN_VALUES } from './record.js'

const NOW = new Date(Date.UTC(2030, 0, 1))

const FULL: RefreshTokenRecord = {
  id: 'token-2',
  familyId: 'family-1',
  userId: 'user-1',
  tokenHash: 'hash',
  generation: 1,
  parentId: 'token-1',
  deviceHash: 'device',
  createdAt: NOW,
  expiresAt: new Date(NOW.getTime() + 3_600_000),
  familyExpiresAt: new Date(NOW.getTime() + 7_200_000),
  usedAt: new Date(NOW.getTime() + 1000),
  successorId: 'token-3',
  revokedAt: new Date(NOW.getTime() + 2000),
  accessTokens: [{ jti: 'jti-1', expiresAt: new Date(NOW.getTime() + 60_000) }],
}

// What HMGET answers for RECORD_FIELDS on a hash written from encodeRecord's pairs.
function hmgetReply(pairs: string[]): (string | null)[] {
  const hash = new Map<string, string>()
  for (let index = 0; index < pairs.length; index += 2) {
    hash.set(pairs[index] as string, pairs[index + 1] as string)
  }
  return RECORD_FIELDS.map((field) => hash.get(field) ?? null)
}

describe('decodeFields', () => {
  it('reads back every field encodeRecord writes', () => {
    const pairs = encodeRecord(FULL)
    const written = pairs.filter((_, index) => index % 2 === 0)
    expect(RECORD_FIELDS).toEqual(expect.arrayContaining(written))
    expect(decodeFields(hmgetReply(pairs))).toEqual(FULL)
  })

  it('keeps absent fields null', () => {
    const sparse = { ...FULL, parentId: null, deviceHash: null, usedAt: null, successorId: null }
    const record = { ...sparse, revokedAt: null, accessTokens: [] }
    expect(decodeFields(hmgetReply(encodeRecord(record)))).toEqual(record)
  })

  it('returns null for a hash that does not exist', () => {
    expect(decodeFields(RECORD_FIELDS.map(() => null))).toBeNull()
  })
})

describe('STAND_IN_VALUES', () => {
  it('decodes to a complete record with an access token, as a stored one does', () => {
    const record = decodeFields(STAND_IN_VALUES)
    expect(record).not.toBeNull()
    expect(record?.tokenHash).toHaveLength(43)
    expect(record?.accessTokens).toHaveLength(1)
  })
})
