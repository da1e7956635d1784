import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { IssuedAccessToken, RefreshTokenRecord, RotateRequest } from '../../types.js'
import { createTestRefreshTokenRecord } from '../refresh-token-record.js'
import type { createFixtureFactory } from './fixture.js'

const HOUR_MS = 3600 * 1000

function randomId(): string {
  return randomBytes(16).toString('base64url')
}

function at(base: Date, offsetMs: number): Date {
  return new Date(base.getTime() + offsetMs)
}

function accessToken(now: Date, ttlMs = 15 * 60 * 1000): IssuedAccessToken {
  return { jti: randomId(), expiresAt: at(now, ttlMs) }
}

function successorOf(parent: RefreshTokenRecord, now: Date): RefreshTokenRecord {
  return createTestRefreshTokenRecord(now, {
    familyId: parent.familyId,
    userId: parent.userId,
    generation: parent.generation + 1,
    parentId: parent.id,
    deviceHash: parent.deviceHash,
    familyExpiresAt: parent.familyExpiresAt,
  })
}

function rotation(parent: RefreshTokenRecord, now: Date, graceMs = 0): RotateRequest {
  const successor = successorOf(parent, now)
  return {
    tokenId: parent.id,
    successor,
    accessToken: successor.accessTokens[0]!,
    deviceHash: parent.deviceHash,
    graceMs,
    now,
  }
}

export function storeLevelCases(fixture: ReturnType<typeof createFixtureFactory>) {
  describe('RefreshTokenStore', () => {
    it('returns a created record unchanged from findById', async () => {
      const { stores, clock } = await fixture()
      const created = createTestRefreshTokenRecord(clock.now(), { deviceHash: null })
      await stores.refreshTokenStore.create(created)
      expect(await stores.refreshTokenStore.findById(created.id)).toEqual(created)
      expect(await stores.refreshTokenStore.findById(randomId())).toBeNull()
    })

    it('rotates an unused token: marks it used and inserts the successor', async () => {
      const { stores, clock } = await fixture()
      const store = stores.refreshTokenStore
      const parent = createTestRefreshTokenRecord(clock.now())
      await store.create(parent)
      clock.advance(1000)
      const request = rotation(parent, clock.now())

      const outcome = await store.rotate(request)

      expect(outcome).toEqual({ status: 'rotated', successor: request.successor })
      expect(await store.findById(parent.id)).toMatchObject({
        usedAt: clock.now(),
        successorId: request.successor.id,
        revokedAt: null,
      })
      expect(await store.findById(request.successor.id)).toEqual(request.successor)
    })

    it('replays the stored successor within grace for the same device', async () => {
      const { stores, clock } = await fixture()
      const store = stores.refreshTokenStore
      const parent = createTestRefreshTokenRecord(clock.now())
      await store.create(parent)
      const first = rotation(parent, clock.now(), 5000)
      await store.rotate(first)
      clock.advance(1000)
      const second = rotation(parent, clock.now(), 5000)

      const outcome = await store.rotate(second)

      expect(outcome).toMatchObject({
        status: 'replayed',
        sinceRotationMs: 1000,
        successor: { id: first.successor.id, tokenHash: first.successor.tokenHash },
      })
      expect(await store.findById(second.successor.id)).toBeNull()
      const stored = await store.findById(first.successor.id)
      expect(stored?.revokedAt).toBeNull()
      expect(stored?.accessTokens).toEqual([first.accessToken, second.accessToken])
    })

    it('reports reuse after grace and revokes the family in the same step', async () => {
      const { stores, clock } = await fixture()
      const store = stores.refreshTokenStore
      const parent = createTestRefreshTokenRecord(clock.now(), {
        accessTokens: [accessToken(clock.now(), HOUR_MS), accessToken(clock.now(), 1000)],
      })
      const bystander = createTestRefreshTokenRecord(clock.now())
      await store.create(parent)
      await store.create(bystander)
      const first = rotation(parent, clock.now(), 5000)
      await store.rotate(first)
      clock.advance(5000)

      const outcome = await store.rotate(rotation(parent, clock.now(), 5000))

      expect(outcome).toMatchObject({
        status: 'reused',
        record: { id: parent.id },
        sinceRotationMs: 5000,
        withinGrace: false,
      })
      const revoked = outcome.status === 'reused' ? outcome.revoked : []
      const expected = [parent.accessTokens[0], first.accessToken]
      expect(revoked).toHaveLength(expected.length)
      expect(revoked).toEqual(expect.arrayContaining(expected))
      expect((await store.findById(parent.id))?.revokedAt).toEqual(clock.now())
      expect((await store.findById(first.successor.id))?.revokedAt).toEqual(clock.now())
      expect((await store.findById(bystander.id))?.revokedAt).toBeNull()
    })

    it('reports reuse within grace for another device or a used successor', async () => {
      const { stores, clock } = await fixture()
      const store = stores.refreshTokenStore
      const deviceParent = createTestRefreshTokenRecord(clock.now())
      await store.create(deviceParent)
      await store.rotate(rotation(deviceParent, clock.now(), 5000))
      const foreign = { ...rotation(deviceParent, clock.now(), 5000), deviceHash: 'other' }
      expect(await store.rotate(foreign)).toMatchObject({ status: 'reused', withinGrace: true })

      const grandparent = createTestRefreshTokenRecord(clock.now())
      await store.create(grandparent)
      const parent = await store.rotate(rotation(grandparent, clock.now(), 5000))
      if (parent.status !== 'rotated') throw new Error('setup rotation failed')
      await store.rotate(rotation(parent.successor, clock.now(), 5000))
      expect(await store.rotate(rotation(grandparent, clock.now(), 5000))).toMatchObject({
        status: 'reused',
        withinGrace: true,
      })
    })

    it('refuses unknown, revoked, expired and family-expired tokens', async () => {
      const { stores, clock } = await fixture()
      const store = stores.refreshTokenStore
      const now = clock.now()
      const revoked = createTestRefreshTokenRecord(now)
      const expired = createTestRefreshTokenRecord(now, { expiresAt: at(now, HOUR_MS) })
      const familyExpired = createTestRefreshTokenRecord(now, { familyExpiresAt: at(now, HOUR_MS) })
      for (const created of [revoked, expired, familyExpired]) await store.create(created)
      await store.revoke(revoked.id, now)
      clock.advance(HOUR_MS)
      const later = clock.now()

      const unknown = { ...rotation(createTestRefreshTokenRecord(now), later) }
      expect(await store.rotate(unknown)).toEqual({ status: 'invalid', reason: 'not-found' })
      expect(await store.rotate(rotation(revoked, later))).toEqual({
        status: 'invalid',
        reason: 'revoked',
      })
      expect(await store.rotate(rotation(expired, later))).toEqual({
        status: 'invalid',
        reason: 'expired',
      })
      expect(await store.rotate(rotation(familyExpired, later))).toMatchObject({
        status: 'invalid',
        reason: expect.stringMatching(/^(family-expired|expired)$/),
      })
      expect((await store.findById(expired.id))?.usedAt).toBeNull()
    })

    it('revokes one token, a family or a user, returning unexpired access tokens', async () => {
      const { stores, clock } = await fixture()
      const store = stores.refreshTokenStore
      const now = clock.now()
      const single = createTestRefreshTokenRecord(now)
      const family = createTestRefreshTokenRecord(now, {
        accessTokens: [accessToken(now), accessToken(now, -1000)],
      })
      const member = createTestRefreshTokenRecord(now, {
        familyId: family.familyId,
        parentId: family.id,
      })
      const otherUser = createTestRefreshTokenRecord(now, { userId: 'user-2' })
      for (const created of [single, family, member, otherUser]) await store.create(created)

      expect(await store.revoke(single.id, now)).toEqual(single.accessTokens)
      expect((await store.findById(family.id))?.revokedAt).toBeNull()

      const familyTokens = await store.revokeFamily(family.familyId, now)
      expect(familyTokens).toHaveLength(2)
      expect(familyTokens).toEqual(
        expect.arrayContaining([family.accessTokens[0], member.accessTokens[0]]),
      )
      expect((await store.findById(member.id))?.revokedAt).toEqual(now)
      expect((await store.findById(otherUser.id))?.revokedAt).toBeNull()

      const fresh = createTestRefreshTokenRecord(now)
      await store.create(fresh)
      const userTokens = await store.revokeUser('user-1', now)
      expect(userTokens).toEqual(expect.arrayContaining([fresh.accessTokens[0]]))
      expect((await store.findById(fresh.id))?.revokedAt).toEqual(now)
      expect((await store.findById(otherUser.id))?.revokedAt).toBeNull()
    })

    it('deletes exactly the expired tokens', async () => {
      const { stores, clock } = await fixture()
      const store = stores.refreshTokenStore
      const now = clock.now()
      const expired = createTestRefreshTokenRecord(now, { expiresAt: at(now, HOUR_MS) })
      const familyExpired = createTestRefreshTokenRecord(now, { familyExpiresAt: at(now, HOUR_MS) })
      const boundary = createTestRefreshTokenRecord(now, { expiresAt: at(now, 2 * HOUR_MS) })
      const live = createTestRefreshTokenRecord(now, { expiresAt: at(now, 2 * HOUR_MS + 1) })
      for (const created of [expired, familyExpired, boundary, live]) await store.create(created)

      expect(await store.deleteExpired(at(now, 2 * HOUR_MS))).toBe(3)
      expect(await store.findById(expired.id)).toBeNull()
      expect(await store.findById(familyExpired.id)).toBeNull()
      expect(await store.findById(boundary.id)).toBeNull()
      expect(await store.findById(live.id)).not.toBeNull()
    })
  })

  describe('Denylist', () => {
    it('holds a jti until the token expires', async () => {
      const { stores, clock } = await fixture()
      const jti = randomId()
      expect(await stores.denylist.has(jti)).toBe(false)
      await stores.denylist.add(jti, at(clock.now(), HOUR_MS))
      expect(await stores.denylist.has(jti)).toBe(true)
      expect(await stores.denylist.has(randomId())).toBe(false)
    })

    it('does not keep an entry whose token has already expired', async () => {
      const { stores, clock } = await fixture()
      const jti = randomId()
      await stores.denylist.add(jti, at(clock.now(), -1000))
      expect(await stores.denylist.has(jti)).toBe(false)
    })

    it('keeps live entries through deleteExpired', async () => {
      const { stores, clock } = await fixture()
      const live = randomId()
      const gone = randomId()
      await stores.denylist.add(live, at(clock.now(), HOUR_MS))
      await stores.denylist.add(gone, at(clock.now(), -1000))
      const deleted = await stores.denylist.deleteExpired(clock.now())
      expect(deleted).toBeGreaterThanOrEqual(0)
      expect(await stores.denylist.has(live)).toBe(true)
      expect(await stores.denylist.has(gone)).toBe(false)
    })
  })

  describe('TokenVersionStore', () => {
    it('starts at 0 and counts bumps per user', async () => {
      const { stores } = await fixture()
      const versions = stores.tokenVersionStore
      expect(await versions.get('user-1')).toBe(0)
      expect(await versions.bump('user-1')).toBe(1)
      expect(await versions.bump('user-1')).toBe(2)
      expect(await versions.get('user-1')).toBe(2)
      expect(await versions.get('user-2')).toBe(0)
    })

    it('counts every one of concurrent bumps', async () => {
      const { stores } = await fixture()
      const versions = stores.tokenVersionStore
      const results = await Promise.all(Array.from({ length: 20 }, () => versions.bump('user-1')))
      expect(new Set(results).size).toBe(20)
      expect(await versions.get('user-1')).toBe(20)
    })
  })
}
