import { describe, expect, it } from 'vitest'
import { createTestRefreshTokenRecord } from './refresh-token-record.js'

describe('createTestRefreshTokenRecord', () => {
  const now = new Date('2030-01-01T00:00:00Z')

  it('creates the first token of a new family, live at `now`', () => {
    const first = createTestRefreshTokenRecord(now)
    const second = createTestRefreshTokenRecord(now)

    expect(first.familyId).toBe(first.id)
    expect(second.id).not.toBe(first.id)
    expect(second.tokenHash).not.toBe(first.tokenHash)
    expect(first).toMatchObject({ generation: 0, parentId: null, usedAt: null, revokedAt: null })
    expect(first.expiresAt.getTime()).toBeGreaterThan(now.getTime())
    expect(first.familyExpiresAt.getTime()).toBeGreaterThanOrEqual(first.expiresAt.getTime())
    expect(first.accessTokens[0]?.expiresAt.getTime()).toBeGreaterThan(now.getTime())
  })

  it('uses an overridden id as the family id unless the family id is overridden too', () => {
    expect(createTestRefreshTokenRecord(now, { id: 't1' }).familyId).toBe('t1')
    const successor = createTestRefreshTokenRecord(now, { id: 't2', familyId: 't1' })
    expect(successor).toMatchObject({ id: 't2', familyId: 't1' })
  })
})
