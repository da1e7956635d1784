import { describe, expect, it } from 'vitest'
import { InvalidRefreshTokenError, RefreshTokenReuseError } from '../../errors.js'
import { claimsOf, type createFixtureFactory, DAY_MS, expectCode, tokenIdOf } from './fixture.js'

const INVALID = 'ERR_REFRESH_TOKEN_INVALID'
const REUSED = 'ERR_REFRESH_TOKEN_REUSED'

export function rotationCases(fixture: ReturnType<typeof createFixtureFactory>) {
  describe('refreshTokens', () => {
    it('stores only a hash of the secret and of the device', async () => {
      const { tessera, stores } = await fixture()
      const refreshToken = await tessera.generateRefreshToken('user-1', { device: 'device-a' })
      const [id, secret] = refreshToken.split('.')

      expect(id).toMatch(/^[A-Za-z0-9_-]{22,}$/)
      expect(Buffer.from(secret ?? '', 'base64url').byteLength).toBeGreaterThanOrEqual(32)
      const record = await stores.refreshTokenStore.findById(id ?? '')
      expect(record).not.toBeNull()
      const serialized = JSON.stringify(record)
      expect(serialized).not.toContain(secret)
      expect(serialized).not.toContain('device-a')
      expect(record?.deviceHash).toEqual(expect.any(String))
    })

    it('exchanges a refresh token for a new pair and marks the old one used', async () => {
      const { tessera, stores } = await fixture()
      const login = await tessera.issueTokens('user-1', { device: 'd1' })
      const next = await tessera.refreshTokens(login.refreshToken, { device: 'd1' })

      expect(next.refreshToken).not.toBe(login.refreshToken)
      expect(claimsOf(next.accessToken).sub).toBe('user-1')
      const old = await stores.refreshTokenStore.findById(tokenIdOf(login.refreshToken))
      expect(old?.usedAt).toBeInstanceOf(Date)
      expect(old?.successorId).toBe(tokenIdOf(next.refreshToken))
      const successor = await stores.refreshTokenStore.findById(tokenIdOf(next.refreshToken))
      expect(successor).toMatchObject({ familyId: old?.familyId, generation: 1, parentId: old?.id })
    })

    it('keeps rotating along a family', async () => {
      const { tessera } = await fixture()
      let token = await tessera.generateRefreshToken('user-1')
      for (let step = 0; step < 5; step++) token = (await tessera.refreshTokens(token)).refreshToken
      await expect(tessera.refreshTokens(token)).resolves.toBeDefined()
    })

    it('puts the role from resolveRole into the rotated access token', async () => {
      const { tessera } = await fixture({ resolveRole: (userId) => `role-of-${userId}` })
      const login = await tessera.issueTokens('user-1', { role: 'admin' })
      expect(claimsOf(login.accessToken).role).toBe('admin')
      const next = await tessera.refreshTokens(login.refreshToken)
      expect(claimsOf(next.accessToken).role).toBe('role-of-user-1')
    })

    it('rejects unknown, malformed and wrong-secret tokens with one error', async () => {
      const { tessera } = await fixture()
      const token = await tessera.generateRefreshToken('user-1')
      const [id, secret = ''] = token.split('.')
      const wrongSecret = `${id}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`
      const unknownId = `${'A'.repeat(id?.length ?? 22)}.${secret}`
      for (const presented of ['', 'not-a-token', `${token}.x`, wrongSecret, unknownId]) {
        const error = await tessera.refreshTokens(presented).catch((caught: unknown) => caught)
        expect(error).toBeInstanceOf(InvalidRefreshTokenError)
        expect(error).toMatchObject({ code: INVALID, message: 'refresh token is invalid' })
      }
      // A wrong secret is not reuse: it must not revoke the family.
      await expect(tessera.refreshTokens(token)).resolves.toBeDefined()
    })

    it('rejects a token after its time to live', async () => {
      const { tessera, clock } = await fixture({ refreshTokenTtlSeconds: 3600 })
      const token = await tessera.generateRefreshToken('user-1')
      clock.advance(3600 * 1000)
      await expectCode(tessera.refreshTokens(token), INVALID)
    })

    it('refuses rotation past the absolute family lifetime', async () => {
      const { tessera, clock } = await fixture({
        refreshTokenTtlSeconds: 2 * 86400,
        familyLifetimeSeconds: 3 * 86400,
      })
      let token = await tessera.generateRefreshToken('user-1')
      clock.advance(DAY_MS)
      token = (await tessera.refreshTokens(token)).refreshToken
      clock.advance(DAY_MS)
      token = (await tessera.refreshTokens(token)).refreshToken
      clock.advance(DAY_MS)
      await expectCode(tessera.refreshTokens(token), INVALID)
    })

    it('treats a second presentation as reuse and revokes the family', async () => {
      const { tessera, events } = await fixture()
      const login = await tessera.issueTokens('user-1')
      const next = await tessera.refreshTokens(login.refreshToken)

      const error = await tessera.refreshTokens(login.refreshToken).catch((caught) => caught)
      expect(error).toBeInstanceOf(RefreshTokenReuseError)
      expect(error.code).toBe(REUSED)
      await expectCode(tessera.refreshTokens(next.refreshToken), INVALID)

      const familyId = (error as RefreshTokenReuseError).familyId
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'reuse.detected', familyId, reason: 'used' }),
      )
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'family.revoked', familyId, reason: 'reuse' }),
      )
    })

    it('denylists the unexpired access tokens of a family revoked for reuse', async () => {
      const { tessera } = await fixture()
      const login = await tessera.issueTokens('user-1')
      const next = await tessera.refreshTokens(login.refreshToken)
      await expect(
        tessera.verifyAccessToken(next.accessToken, { checkRevocation: true }),
      ).resolves.toBeDefined()

      await expectCode(tessera.refreshTokens(login.refreshToken), REUSED)
      for (const accessToken of [login.accessToken, next.accessToken]) {
        await expectCode(
          tessera.verifyAccessToken(accessToken, { checkRevocation: true }),
          'ERR_ACCESS_TOKEN_DENIED',
        )
      }
    })

    it('revokes the family when another device presents a token', async () => {
      const { tessera, events } = await fixture()
      const token = await tessera.generateRefreshToken('user-1', { device: 'laptop' })
      await expectCode(tessera.refreshTokens(token, { device: 'phone' }), REUSED)
      await expectCode(tessera.refreshTokens(token, { device: 'laptop' }), INVALID)
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'reuse.detected', reason: 'device-mismatch' }),
      )
    })

    it('revokes a device-bound family presented without a device', async () => {
      const { tessera } = await fixture()
      const token = await tessera.generateRefreshToken('user-1', { device: 'laptop' })
      await expectCode(tessera.refreshTokens(token), REUSED)
      await expectCode(tessera.refreshTokens(token, { device: 'laptop' }), INVALID)
    })
  })

  describe('refreshTokens within the grace period', () => {
    it('gives a replay of the predecessor the identical successor and revokes nothing', async () => {
      const { tessera, clock, events } = await fixture({ rotationGraceSeconds: 5 })
      const token = await tessera.generateRefreshToken('user-1', { device: 'd1' })
      const first = await tessera.refreshTokens(token, { device: 'd1' })
      clock.advance(2000)
      const replay = await tessera.refreshTokens(token, { device: 'd1' })

      expect(replay.refreshToken).toBe(first.refreshToken)
      expect(claimsOf(replay.accessToken).jti).not.toBe(claimsOf(first.accessToken).jti)
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'token.grace-replay', sinceRotationMs: 2000 }),
      )
      await expect(
        tessera.refreshTokens(first.refreshToken, { device: 'd1' }),
      ).resolves.toBeDefined()
    })

    it('treats a replay after the grace period as theft', async () => {
      const { tessera, clock, events } = await fixture({ rotationGraceSeconds: 5 })
      const token = await tessera.generateRefreshToken('user-1')
      const first = await tessera.refreshTokens(token)
      clock.advance(5000)
      await expectCode(tessera.refreshTokens(token), REUSED)
      await expectCode(tessera.refreshTokens(first.refreshToken), INVALID)
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'reuse.detected', likely: 'theft', sinceRotationMs: 5000 }),
      )
    })

    it('treats a replay from another device as reuse', async () => {
      const { tessera } = await fixture({ rotationGraceSeconds: 5 })
      const token = await tessera.generateRefreshToken('user-1', { device: 'd1' })
      const first = await tessera.refreshTokens(token, { device: 'd1' })
      await expectCode(tessera.refreshTokens(token, { device: 'd2' }), REUSED)
      await expectCode(tessera.refreshTokens(first.refreshToken, { device: 'd1' }), INVALID)
    })

    it('treats a replay as reuse once the successor was rotated', async () => {
      const { tessera, clock, events } = await fixture({ rotationGraceSeconds: 5 })
      const token = await tessera.generateRefreshToken('user-1')
      const first = await tessera.refreshTokens(token)
      const second = await tessera.refreshTokens(first.refreshToken)
      clock.advance(1000)
      await expectCode(tessera.refreshTokens(token), REUSED)
      await expectCode(tessera.refreshTokens(second.refreshToken), INVALID)
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'reuse.detected', likely: 'race' }),
      )
    })

    it('revokes the family when a grandparent is replayed inside the grace period', async () => {
      const { tessera, clock } = await fixture({ rotationGraceSeconds: 5 })
      const grandparent = await tessera.generateRefreshToken('user-1')
      const parent = await tessera.refreshTokens(grandparent)
      clock.advance(500)
      const child = await tessera.refreshTokens(parent.refreshToken)
      clock.advance(500)
      await expectCode(tessera.refreshTokens(grandparent), REUSED)
      await expectCode(tessera.refreshTokens(child.refreshToken), INVALID)
    })

    it('denylists the access tokens handed out by replays when the family is revoked', async () => {
      const { tessera } = await fixture({ rotationGraceSeconds: 5 })
      const token = await tessera.generateRefreshToken('user-1')
      await tessera.refreshTokens(token)
      const replay = await tessera.refreshTokens(token)
      await tessera.revokeRefreshToken(replay.refreshToken)
      await expectCode(
        tessera.verifyAccessToken(replay.accessToken, { checkRevocation: true }),
        'ERR_ACCESS_TOKEN_DENIED',
      )
    })
  })
}
