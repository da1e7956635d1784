import { createHash, timingSafeEqual } from 'node:crypto'
import { decodeJwt } from 'jose'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { InvalidRefreshTokenError, RefreshTokenReuseError } from '../errors.js'
import { generateKey } from '../keys/generate.js'
import { createMemoryStores } from '../stores/memory.js'
import { createTessera } from '../tessera.js'
import { createTestClock } from '../testing/test-clock.js'
import type { KeySet, RefreshTokenStore, TesseraEvent, TesseraOptions } from '../types.js'
import { deriveSuccessorSecret, hashSecret } from './secrets.js'

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>()
  return {
    ...original,
    createHash: vi.fn(original.createHash),
    timingSafeEqual: vi.fn(original.timingSafeEqual),
  }
})

const SECRET = 'unit-test-server-secret-0123456789abcdef'
let keys: KeySet

beforeAll(async () => {
  keys = { keys: [await generateKey('ES256')] }
})

function setup(options: Partial<TesseraOptions> = {}) {
  const clock = createTestClock()
  const stores = createMemoryStores({ clock: clock.now })
  const events: TesseraEvent[] = []
  const tessera = createTessera({
    keys,
    issuer: 'https://issuer.test',
    audience: 'https://audience.test',
    secret: SECRET,
    rotationGraceSeconds: 5,
    clock: clock.now,
    onEvent: (event) => events.push(event),
    ...stores,
    ...options,
  })
  return { tessera, stores, clock, events }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a rejection, but the call succeeded')
}

function ownFields(error: Error): Record<string, unknown> {
  return Object.fromEntries(
    Object.getOwnPropertyNames(error)
      .filter((name) => name !== 'stack')
      .map((name) => [name, (error as unknown as Record<string, unknown>)[name]]),
  )
}

describe('createRefreshTokenService', () => {
  it('refuses to build an instance with a refresh-token store but no secret', () => {
    expect(() => setup({ secret: undefined })).toThrow(/needs the `secret`/)
  })

  it('throws a TypeError from refresh methods when the store is missing', async () => {
    const { tessera } = setup({ refreshTokenStore: undefined })
    expect((await rejection(tessera.generateRefreshToken('user-1'))).message).toMatch(
      /refreshTokenStore/,
    )
    expect(await rejection(tessera.revokeRefreshToken('id'))).toBeInstanceOf(TypeError)
  })

  it('throws a TypeError when a revocation needs a store that is not configured', async () => {
    const noDenylist = setup({ denylist: undefined }).tessera
    const exp = Date.now() / 1000 + 60
    expect((await rejection(noDenylist.revokeAccessToken('jti', exp))).message).toMatch(/denylist/)
    const noVersions = setup({ tokenVersionStore: undefined }).tessera
    expect((await rejection(noVersions.revokeAllUserTokens('user-1'))).message).toMatch(
      /tokenVersionStore/,
    )
  })

  it('issues 256-bit secrets and distinct ids', async () => {
    const { tessera } = setup()
    const tokens = await Promise.all([1, 2, 3].map(() => tessera.generateRefreshToken('user-1')))
    const ids = tokens.map((token) => token.split('.')[0])
    expect(new Set(ids).size).toBe(3)
    for (const token of tokens) {
      const secret = token.split('.')[1] ?? ''
      expect(Buffer.from(secret, 'base64url').byteLength).toBeGreaterThanOrEqual(32)
    }
  })

  it('derives the successor secret with the server key and stores only its hash', async () => {
    const { tessera, stores } = setup()
    const token = await tessera.generateRefreshToken('user-1')
    const next = await tessera.refreshTokens(token)
    const [, presented = ''] = token.split('.')
    const [successorId = '', successorSecret = ''] = next.refreshToken.split('.')

    const key = new TextEncoder().encode(SECRET)
    expect(successorSecret).toBe(deriveSuccessorSecret(key, presented))
    const record = await stores.refreshTokenStore.findById(successorId)
    expect(record?.tokenHash).toBe(hashSecret(successorSecret))
    expect(JSON.stringify(record)).not.toContain(successorSecret)
  })

  it('refuses a grace replay when the server key no longer reproduces the successor', async () => {
    const { tessera, stores, clock } = setup()
    const token = await tessera.generateRefreshToken('user-1')
    await tessera.refreshTokens(token)
    const rekeyed = createTessera({
      keys,
      issuer: 'https://issuer.test',
      audience: 'https://audience.test',
      secret: 'another-server-secret-0123456789abcdef',
      rotationGraceSeconds: 5,
      clock: clock.now,
      ...stores,
    })
    expect(await rejection(rekeyed.refreshTokens(token))).toBeInstanceOf(InvalidRefreshTokenError)
  })

  it('stores a keyed device hash, never the device identifier or its plain hash', async () => {
    const { tessera, stores } = setup()
    const other = setup({ secret: 'another-server-secret-0123456789abcdef' })
    const token = await tessera.generateRefreshToken('user-1', { device: 'device-42' })
    const otherToken = await other.tessera.generateRefreshToken('user-1', { device: 'device-42' })

    const record = await stores.refreshTokenStore.findById(token.split('.')[0] ?? '')
    const otherRecord = await other.stores.refreshTokenStore.findById(
      otherToken.split('.')[0] ?? '',
    )
    expect(record?.deviceHash).not.toBe(otherRecord?.deviceHash)
    expect(record?.deviceHash).not.toBe(hashSecret('device-42'))
    expect(record?.deviceHash).not.toContain('device-42')
  })

  it('caps each token expiry at the family lifetime', async () => {
    const { tessera, stores } = setup({
      refreshTokenTtlSeconds: 7 * 86400,
      familyLifetimeSeconds: 86400,
    })
    const token = await tessera.generateRefreshToken('user-1')
    const record = await stores.refreshTokenStore.findById(token.split('.')[0] ?? '')
    expect(record?.expiresAt).toEqual(record?.familyExpiresAt)
  })

  it('rejects every invalid token with an identical error', async () => {
    const { tessera, clock } = setup({ refreshTokenTtlSeconds: 3600 })
    const valid = await tessera.generateRefreshToken('user-1')
    const [id = '', secret = ''] = valid.split('.')
    const revoked = await tessera.generateRefreshToken('user-1')
    await tessera.revokeRefreshToken(revoked)
    const expired = await tessera.generateRefreshToken('user-1')
    clock.advance(3600 * 1000)
    const flipped = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`

    const errors = await Promise.all(
      ['', 'x', `${id}.${flipped}`, `${'B'.repeat(id.length)}.${secret}`, revoked, expired].map(
        (presented) => rejection(tessera.refreshTokens(presented)),
      ),
    )
    const reference = ownFields(errors[0]!)
    expect(errors[0]).toBeInstanceOf(InvalidRefreshTokenError)
    for (const error of errors) {
      expect(error.constructor).toBe(InvalidRefreshTokenError)
      expect(ownFields(error)).toEqual(reference)
    }
  })

  it('does the same hashing, comparison and store work for every invalid token', async () => {
    const { stores, clock } = setup({ refreshTokenTtlSeconds: 3600 })
    const store = stores.refreshTokenStore
    const spied: RefreshTokenStore = {
      ...store,
      findById: vi.fn(store.findById),
      rotate: vi.fn(store.rotate),
    }
    const counted = createTessera({
      keys,
      issuer: 'https://issuer.test',
      audience: 'https://audience.test',
      secret: SECRET,
      refreshTokenTtlSeconds: 3600,
      clock: clock.now,
      ...stores,
      refreshTokenStore: spied,
    })
    const valid = await counted.generateRefreshToken('user-1')
    const [id = '', secret = ''] = valid.split('.')
    const revoked = await counted.generateRefreshToken('user-1')
    await counted.revokeRefreshToken(revoked)
    const expired = await counted.generateRefreshToken('user-1')
    clock.advance(3600 * 1000)
    const unknown = `${'B'.repeat(id.length)}.${secret}`
    const wrongSecret = `${id}.${'C'.repeat(secret.length)}`

    const malformed = ['garbage', `${id}:${secret}`, `${id}.${secret}=`, 42 as unknown as string]
    for (const presented of [...malformed, unknown, wrongSecret, revoked, expired]) {
      vi.mocked(timingSafeEqual).mockClear()
      vi.mocked(createHash).mockClear()
      vi.mocked(spied.rotate).mockClear()
      vi.mocked(spied.findById).mockClear()
      const error = await rejection(counted.refreshTokens(presented))
      expect(error).toBeInstanceOf(InvalidRefreshTokenError)
      expect(timingSafeEqual).toHaveBeenCalledTimes(1)
      expect(createHash).toHaveBeenCalledTimes(1)
      expect(spied.findById).toHaveBeenCalledTimes(1)
      expect(spied.rotate).not.toHaveBeenCalled()
    }
  })

  it('looks up a fresh id of the real shape for a malformed token', async () => {
    const { stores } = setup()
    const store = stores.refreshTokenStore
    const findById = vi.fn(store.findById)
    const counted = createTessera({
      keys,
      issuer: 'https://issuer.test',
      audience: 'https://audience.test',
      secret: SECRET,
      ...stores,
      refreshTokenStore: { ...store, findById },
    })
    const shape = (await counted.generateRefreshToken('user-1')).split('.')[0] ?? ''

    await rejection(counted.refreshTokens('garbage'))
    await rejection(counted.refreshTokens('garbage'))

    const [first = '', second = ''] = findById.mock.calls.map(([looked]) => looked)
    expect(first).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(first).toHaveLength(shape.length)
    expect(first).not.toBe(second)
  })

  it('emits events with ids and hashes but no secret, token or device identifier', async () => {
    const { tessera, clock, events } = setup()
    const login = await tessera.issueTokens('user-1', { device: 'device-42' })
    const next = await tessera.refreshTokens(login.refreshToken, { device: 'device-42' })
    const replay = await tessera.refreshTokens(login.refreshToken, { device: 'device-42' })
    clock.advance(10_000)
    const reuse = await rejection(
      tessera.refreshTokens(login.refreshToken, { device: 'device-42' }),
    )
    const second = await tessera.issueTokens('user-1', { device: 'device-42' })
    await tessera.revokeRefreshToken(second.refreshToken)
    await tessera.revokeAllUserTokens('user-1')

    expect(events.map((event) => event.type)).toEqual([
      'family.started',
      'token.rotated',
      'token.grace-replay',
      'reuse.detected',
      'family.revoked',
      'family.started',
      'family.revoked',
      'user.revoked',
    ])
    const secrets = [login, next, replay, second].flatMap((pair) => [
      pair.accessToken,
      pair.refreshToken,
      pair.refreshToken.split('.')[1] ?? '',
    ])
    const serialized = JSON.stringify(events) + JSON.stringify(ownFields(reuse)) + reuse.message
    for (const value of [...secrets, 'device-42']) expect(serialized).not.toContain(value)

    const familyId = (reuse as RefreshTokenReuseError).familyId
    const loginId = login.refreshToken.split('.')[0]
    expect(events[1]).toMatchObject({
      type: 'token.rotated',
      familyId,
      tokenId: loginId,
      successorId: next.refreshToken.split('.')[0],
      userId: 'user-1',
      generation: 1,
      deviceHash: expect.any(String),
    })
    expect(events[3]).toMatchObject({
      type: 'reuse.detected',
      familyId,
      tokenId: loginId,
      generation: 0,
      presentedDeviceHash: (events[0] as { deviceHash: string }).deviceHash,
      sinceRotationMs: 10_000,
      likely: 'theft',
      reason: 'used',
    })
    expect(events[7]).toMatchObject({ type: 'user.revoked', userId: 'user-1', tokenVersion: 1 })
  })

  it('marks reuse inside the grace period from another device as a device mismatch', async () => {
    const { tessera, events } = setup()
    const token = await tessera.generateRefreshToken('user-1', { device: 'a' })
    await tessera.refreshTokens(token, { device: 'a' })
    const error = await rejection(tessera.refreshTokens(token, { device: 'b' }))
    expect(error).toBeInstanceOf(RefreshTokenReuseError)
    const detected = events.find((event) => event.type === 'reuse.detected')
    expect(detected).toMatchObject({ reason: 'device-mismatch', sinceRotationMs: 0 })
    expect(detected).not.toMatchObject({
      presentedDeviceHash: (events[0] as { deviceHash: string }).deviceHash,
    })
  })

  it('links the login access token to the family so logout denylists it', async () => {
    const { tessera, stores } = setup()
    const login = await tessera.issueTokens('user-1')
    await tessera.revokeRefreshToken(login.refreshToken)
    expect(await stores.denylist.has(decodeJwt(login.accessToken).jti ?? '')).toBe(true)
  })

  it('links the login access token to the family so revokeTokenFamily denylists it', async () => {
    const { tessera, stores, events } = setup()
    const login = await tessera.issueTokens('user-1')
    const familyId = login.refreshToken.split('.')[0] ?? ''
    await tessera.revokeTokenFamily(familyId)
    expect(await stores.denylist.has(decodeJwt(login.accessToken).jti ?? '')).toBe(true)
    expect(events.at(-1)).toMatchObject({ type: 'family.revoked', familyId, reason: 'revoked' })
  })

  describe('a login racing revokeAllUserTokens', () => {
    // Runs revokeAllUserTokens to completion at one chosen point inside a login.
    function racing(point: 'before-create' | 'before-access-token') {
      const { stores, clock, events } = setup()
      let tessera: ReturnType<typeof createTessera> | undefined
      let pending = true
      const revokeOnce = async () => {
        if (!pending) return
        pending = false
        await tessera!.revokeAllUserTokens('user-1')
      }
      const versions = stores.tokenVersionStore
      let reads = 0
      const store: RefreshTokenStore = {
        ...stores.refreshTokenStore,
        async create(record) {
          if (point === 'before-create') await revokeOnce()
          return stores.refreshTokenStore.create(record)
        },
      }
      tessera = createTessera({
        keys,
        issuer: 'https://issuer.test',
        audience: 'https://audience.test',
        secret: SECRET,
        clock: clock.now,
        onEvent: (event) => events.push(event),
        ...stores,
        refreshTokenStore: store,
        tokenVersionStore: {
          ...versions,
          async get(userId) {
            // The login's first read happens before the race; the second is the issuer's.
            reads++
            if (point === 'before-access-token' && reads === 2) await revokeOnce()
            return versions.get(userId)
          },
        },
      })
      return { tessera, stores, events }
    }

    async function startedFamily(
      events: TesseraEvent[],
      stores: { refreshTokenStore: RefreshTokenStore },
    ) {
      const started = events.find((event) => event.type === 'family.started')
      const familyId = (started as { familyId: string }).familyId
      return stores.refreshTokenStore.findById(familyId)
    }

    it('revokes the new family and fails the login when the revocation lands before create', async () => {
      const { tessera, stores, events } = racing('before-create')

      const error = await rejection(tessera.issueTokens('user-1'))

      expect((error as { code?: string }).code).toBe('ERR_REFRESH_TOKEN_INVALID')
      const record = await startedFamily(events, stores)
      expect(record?.revokedAt).not.toBeNull()
      const jti = record?.accessTokens[0]?.jti ?? ''
      expect(await stores.denylist.has(jti)).toBe(true)
      expect(events.map((event) => event.type)).toEqual([
        'user.revoked',
        'family.started',
        'family.revoked',
      ])
    })

    it('denylists an access token already carrying the new version', async () => {
      const { tessera, stores, events } = racing('before-access-token')

      const error = await rejection(tessera.issueTokens('user-1'))

      expect((error as { code?: string }).code).toBe('ERR_REFRESH_TOKEN_INVALID')
      const record = await startedFamily(events, stores)
      expect(record?.revokedAt).not.toBeNull()
      expect(await stores.denylist.has(record?.accessTokens[0]?.jti ?? '')).toBe(true)
    })

    it('revokes a family from generateRefreshToken the same way', async () => {
      const { tessera, stores, events } = racing('before-create')

      const error = await rejection(tessera.generateRefreshToken('user-1'))

      expect((error as { code?: string }).code).toBe('ERR_REFRESH_TOKEN_INVALID')
      expect((await startedFamily(events, stores))?.revokedAt).not.toBeNull()
    })

    it('keeps a login whose version did not change', async () => {
      const { tessera } = setup()
      await tessera.revokeAllUserTokens('user-1')
      const login = await tessera.issueTokens('user-1')
      await expect(tessera.refreshTokens(login.refreshToken)).resolves.toBeDefined()
    })
  })

  it('bumps the token version before revoking the refresh tokens of a user', async () => {
    const { stores } = setup()
    const order: string[] = []
    const tessera = createTessera({
      keys,
      issuer: 'https://issuer.test',
      audience: 'https://audience.test',
      secret: SECRET,
      ...stores,
      refreshTokenStore: {
        ...stores.refreshTokenStore,
        async revokeUser(userId, now) {
          order.push('revokeUser')
          return stores.refreshTokenStore.revokeUser(userId, now)
        },
      },
      tokenVersionStore: {
        ...stores.tokenVersionStore,
        async bump(userId) {
          order.push('bump')
          return stores.tokenVersionStore.bump(userId)
        },
      },
    })

    await tessera.revokeAllUserTokens('user-1')

    expect(order).toEqual(['bump', 'revokeUser'])
  })

  it('revokes nothing when a whole token with a wrong secret is presented', async () => {
    const { tessera, stores, events } = setup()
    const login = await tessera.issueTokens('user-1')
    const [id = '', secret = ''] = login.refreshToken.split('.')
    const flipped = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`

    for (const presented of [`${id}.${flipped}`, `${id}.short`, `${id}.`]) {
      vi.mocked(timingSafeEqual).mockClear()
      await expect(tessera.revokeRefreshToken(presented)).resolves.toBeUndefined()
      expect(timingSafeEqual).toHaveBeenCalledTimes(1)
    }

    expect(events.map((event) => event.type)).toEqual(['family.started'])
    expect(await stores.denylist.has(decodeJwt(login.accessToken).jti ?? '')).toBe(false)
    await expect(tessera.refreshTokens(login.refreshToken)).resolves.toBeDefined()
  })

  it('revokes nothing when only the id of a token is presented', async () => {
    const { tessera, stores, events } = setup()
    const login = await tessera.issueTokens('user-1')

    await tessera.revokeRefreshToken(login.refreshToken.split('.')[0] ?? '')

    expect(events.map((event) => event.type)).toEqual(['family.started'])
    expect(await stores.denylist.has(decodeJwt(login.accessToken).jti ?? '')).toBe(false)
    await expect(tessera.refreshTokens(login.refreshToken)).resolves.toBeDefined()
  })

  it('does the same lookup, hashing and comparison for every token it ignores', async () => {
    const { stores } = setup()
    const store = stores.refreshTokenStore
    const spied: RefreshTokenStore = {
      ...store,
      findById: vi.fn(store.findById),
      revokeFamily: vi.fn(store.revokeFamily),
    }
    const counted = createTessera({
      keys,
      issuer: 'https://issuer.test',
      audience: 'https://audience.test',
      secret: SECRET,
      ...stores,
      refreshTokenStore: spied,
    })
    const valid = await counted.generateRefreshToken('user-1')
    const [id = '', secret = ''] = valid.split('.')
    const unknown = `${'B'.repeat(id.length)}.${secret}`
    const wrongSecret = `${id}.${'C'.repeat(secret.length)}`

    const ignored = [id, '', 'garbage', `${id}.${secret}=`, 42 as unknown as string]
    for (const presented of [...ignored, unknown, wrongSecret]) {
      vi.mocked(timingSafeEqual).mockClear()
      vi.mocked(createHash).mockClear()
      vi.mocked(spied.findById).mockClear()
      await expect(counted.revokeRefreshToken(presented)).resolves.toBeUndefined()
      expect(timingSafeEqual).toHaveBeenCalledTimes(1)
      expect(createHash).toHaveBeenCalledTimes(1)
      expect(spied.findById).toHaveBeenCalledTimes(1)
    }
    expect(spied.revokeFamily).not.toHaveBeenCalled()
  })

  it('revokes the family when the whole token with its secret is presented', async () => {
    const { tessera, stores } = setup()
    const login = await tessera.issueTokens('user-1')
    await tessera.revokeRefreshToken(login.refreshToken)
    expect(await stores.denylist.has(decodeJwt(login.accessToken).jti ?? '')).toBe(true)
    expect(await rejection(tessera.refreshTokens(login.refreshToken))).toBeInstanceOf(
      InvalidRefreshTokenError,
    )
  })

  it('ignores revokeAccessToken for a token expired beyond the clock tolerance', async () => {
    const { tessera, stores, clock } = setup({ clockToleranceSeconds: 30 })
    const exp = Math.floor(clock.now().getTime() / 1000) - 31
    await tessera.revokeAccessToken('old-jti', exp)
    expect(await stores.denylist.deleteExpired(new Date(0))).toBe(0)
  })

  it('keeps a revoked access token denied while the verifier still tolerates its exp', async () => {
    const { tessera, clock } = setup({ clockToleranceSeconds: 30, accessTokenTtlSeconds: 60 })
    const accessToken = await tessera.generateAccessToken('user-1')
    const { claims } = await tessera.verifyAccessToken(accessToken)
    await tessera.revokeAccessToken(claims.jti, claims.exp)

    // Past exp, inside the tolerance: the signature and claims still pass, the denylist must not.
    clock.advance(75_000)
    const error = await rejection(tessera.verifyAccessToken(accessToken, { checkRevocation: true }))
    expect((error as { code?: string }).code).toBe('ERR_ACCESS_TOKEN_DENIED')
  })

  it("keeps a revoked family's access token denied while its exp is still tolerated", async () => {
    const { tessera, clock } = setup({ clockToleranceSeconds: 30, accessTokenTtlSeconds: 60 })
    const login = await tessera.issueTokens('user-1')
    await tessera.revokeRefreshToken(login.refreshToken)

    clock.advance(75_000)
    const error = await rejection(
      tessera.verifyAccessToken(login.accessToken, { checkRevocation: true }),
    )
    expect((error as { code?: string }).code).toBe('ERR_ACCESS_TOKEN_DENIED')
  })
})
