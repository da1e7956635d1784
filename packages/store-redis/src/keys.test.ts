import calculateSlot from 'cluster-key-slot'
import { describe, expect, it } from 'vitest'
import { createKeys, userKeys } from './keys.js'
import { createRedisStores } from './stores.js'
import { connect, deletePrefix, randomPrefix, redisAvailability } from './test-helpers.js'

const USER_IDS = ['user-1', '', '}', '{', '{x}', 'a}b{c', 'ünïcødé', 'x'.repeat(300), 'u:1']

describe('createKeys', () => {
  it('puts every key of one user under one hash slot', () => {
    const keys = createKeys('tessera:')
    for (const userId of USER_IDS) {
      const base = keys.userBase(userId)
      const slot = calculateSlot(base)
      const touched = [
        userKeys.token(base, 'token-1'),
        userKeys.token(base, 'token-{2}'),
        userKeys.family(base, 'family-1'),
        userKeys.families(base),
        // What the Lua scripts build from the base.
        `${base}t:any-id`,
        `${base}f:any-family`,
      ]
      for (const key of touched) expect(calculateSlot(key), key).toBe(slot)
    }
  })

  it('keeps the user id inside the hash tag', () => {
    const keys = createKeys('tessera:')
    const slots = new Set(USER_IDS.map((userId) => calculateSlot(keys.userBase(userId))))
    // A tag closed early or left empty would put different users on the same or random slots.
    expect(slots.size).toBeGreaterThan(USER_IDS.length / 2)
    expect(keys.userBase('}')).toMatch(/^tessera:rt:\{u:[^{}]+\}:$/)
    expect(keys.userBase('')).toMatch(/^tessera:rt:\{u:\}:$/)
  })

  it('names an absent-token key that no user base can produce', () => {
    const keys = createKeys('tessera:')
    const tokenIds = ['token-1', '20abc', 'z', '}x{', '']
    // '20abc' and ' abc': a tag `u:%<id>` without the `z` would equal the encoded user id.
    const userIds = [...USER_IDS, ...tokenIds, ...tokenIds.map((id) => `%z${id}`), ' abc']
    for (const tokenId of tokenIds) {
      const absent = keys.absentToken(tokenId)
      expect(absent.startsWith('tessera:rt:{u:%z')).toBe(true)
      for (const userId of userIds) {
        expect(absent.startsWith(keys.userBase(userId))).toBe(false)
        expect(absent).not.toBe(userKeys.token(keys.userBase(userId), tokenId))
      }
    }
  })

  it('spreads absent-token keys over slots like the ids they stand for', () => {
    const keys = createKeys('tessera:')
    const slots = new Set(
      Array.from({ length: 20 }, (_, index) => calculateSlot(keys.absentToken(`id-${index}`))),
    )
    expect(slots.size).toBeGreaterThan(10)
  })

  it('starts every key with the prefix', () => {
    const keys = createKeys('app-a:')
    const all = [
      keys.denylist('j'),
      keys.tokenVersion('u'),
      keys.tokenIndex('t'),
      keys.familyIndex('f'),
      keys.expiry(3),
      keys.userBase('u'),
      keys.absentToken('t'),
    ]
    for (const key of all) expect(key.startsWith('app-a:')).toBe(true)
  })
})

describe('createRedisStores', () => {
  it('rejects a prefix that would open a hash tag', () => {
    const client = connect('redis://127.0.0.1:1', { lazyConnect: true })
    expect(() => createRedisStores({ client, prefix: 'app{1}:' })).toThrow(TypeError)
    expect(() => createRedisStores({ client, commandTimeoutMs: 0 })).toThrow(TypeError)
    expect(() => createRedisStores({ client, onUnavailable: 'maybe' as 'fail-open' })).toThrow(
      TypeError,
    )
    client.disconnect()
  })
})

const { available } = await redisAvailability()

describe.skipIf(!available)('key scheme on a real Redis', () => {
  it('writes tagged keys of one user to a single slot through every operation', async () => {
    const client = connect()
    const prefix = randomPrefix()
    const { refreshTokenStore: store } = createRedisStores({ client, prefix })
    const now = new Date()
    const later = (ms: number) => new Date(now.getTime() + ms)
    const base = {
      userId: 'a}b',
      tokenHash: 'h',
      generation: 0,
      parentId: null,
      deviceHash: null,
      createdAt: now,
      expiresAt: later(3_600_000),
      familyExpiresAt: later(7_200_000),
      usedAt: null,
      successorId: null,
      revokedAt: null,
      accessTokens: [{ jti: 'jti-1', expiresAt: later(60_000) }],
    }
    try {
      await store.create({ ...base, id: 'f1', familyId: 'f1' })
      await store.create({ ...base, id: 'f2', familyId: 'f2' })
      const successor = { ...base, id: 's1', familyId: 'f1', parentId: 'f1', generation: 1 }
      const request = {
        tokenId: 'f1',
        successor,
        accessToken: { jti: 'jti-2', expiresAt: later(60_000) },
        deviceHash: null,
        graceMs: 0,
        now,
      }
      expect((await store.rotate(request)).status).toBe('rotated')
      expect((await store.rotate(request)).status).toBe('reused')
      await store.revokeUser('a}b', now)

      const written: string[] = []
      let cursor = '0'
      do {
        const [next, found] = await client.scan(cursor, 'MATCH', `${prefix}rt:*`, 'COUNT', 500)
        cursor = next
        written.push(...found)
      } while (cursor !== '0')
      expect(written.length).toBeGreaterThanOrEqual(5)
      expect(new Set(written.map((key) => calculateSlot(key))).size).toBe(1)
    } finally {
      await deletePrefix(client, prefix)
      await client.quit()
    }
  })
})
