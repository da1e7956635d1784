import { describe, expect, it } from 'vitest'
import { claimsOf, type createFixtureFactory, DAY_MS, expectCode, tokenIdOf } from './fixture.js'

const INVALID = 'ERR_REFRESH_TOKEN_INVALID'
const DENIED = 'ERR_ACCESS_TOKEN_DENIED'
const STALE = 'ERR_TOKEN_VERSION_STALE'
const checked = { checkRevocation: true }

export function revocationCases(fixture: ReturnType<typeof createFixtureFactory>) {
  describe('revokeRefreshToken', () => {
    it('revokes the whole family and denylists its access tokens', async () => {
      const { tessera, events } = await fixture()
      const login = await tessera.issueTokens('user-1')
      const next = await tessera.refreshTokens(login.refreshToken)
      const otherLogin = await tessera.issueTokens('user-1')

      await tessera.revokeRefreshToken(login.refreshToken)

      await expectCode(tessera.refreshTokens(next.refreshToken), INVALID)
      await expectCode(tessera.verifyAccessToken(next.accessToken, checked), DENIED)
      await expectCode(tessera.verifyAccessToken(login.accessToken, checked), DENIED)
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'family.revoked', reason: 'logout', userId: 'user-1' }),
      )
      await expect(tessera.refreshTokens(otherLogin.refreshToken)).resolves.toBeDefined()
      await expect(
        tessera.verifyAccessToken(otherLogin.accessToken, checked),
      ).resolves.toBeDefined()
    })

    it('ignores a bare id, a wrong secret and an unknown token', async () => {
      const { tessera, events } = await fixture()
      const login = await tessera.issueTokens('user-1')
      const [id = '', secret = ''] = login.refreshToken.split('.')
      const flipped = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`
      const unknown = `${'B'.repeat(id.length)}.${secret}`

      for (const presented of [id, `${id}.${flipped}`, unknown, 'unknown-token-id', '']) {
        await expect(tessera.revokeRefreshToken(presented)).resolves.toBeUndefined()
      }

      expect(events.map((event) => event.type)).toEqual(['family.started'])
      await expect(tessera.verifyAccessToken(login.accessToken, checked)).resolves.toBeDefined()
      await expect(tessera.refreshTokens(login.refreshToken)).resolves.toBeDefined()
    })
  })

  describe('revokeTokenFamily', () => {
    it('revokes the family named by its id and denylists its access tokens', async () => {
      const { tessera, events } = await fixture()
      const login = await tessera.issueTokens('user-1')
      const next = await tessera.refreshTokens(login.refreshToken)
      const otherLogin = await tessera.issueTokens('user-1')

      await tessera.revokeTokenFamily(tokenIdOf(login.refreshToken))

      await expectCode(tessera.refreshTokens(next.refreshToken), INVALID)
      await expectCode(tessera.verifyAccessToken(next.accessToken, checked), DENIED)
      await expectCode(tessera.verifyAccessToken(login.accessToken, checked), DENIED)
      expect(events).toContainEqual(
        expect.objectContaining({
          type: 'family.revoked',
          familyId: tokenIdOf(login.refreshToken),
          reason: 'revoked',
          userId: 'user-1',
        }),
      )
      await expect(tessera.refreshTokens(otherLogin.refreshToken)).resolves.toBeDefined()
    })

    it('revokes a family whose first token was already cleaned up', async () => {
      const { tessera, clock } = await fixture({
        refreshTokenTtlSeconds: 86400,
        familyLifetimeSeconds: 30 * 86400,
      })
      const first = await tessera.generateRefreshToken('user-1')
      clock.advance(DAY_MS / 2)
      const next = await tessera.refreshTokens(first)
      clock.advance(DAY_MS / 2)
      expect((await tessera.cleanup()).refreshTokens).toBe(1)

      await tessera.revokeTokenFamily(tokenIdOf(first))

      await expectCode(tessera.refreshTokens(next.refreshToken), INVALID)
    })

    it('ignores an unknown family id and refuses an empty one', async () => {
      const { tessera, events } = await fixture()
      await expect(tessera.revokeTokenFamily('unknown-family-id')).resolves.toBeUndefined()
      await expect(tessera.revokeTokenFamily('')).rejects.toBeInstanceOf(TypeError)
      expect(events).toEqual([])
    })
  })

  describe('revokeAllUserTokens', () => {
    it("revokes every family of the user and no one else's", async () => {
      const { tessera, events } = await fixture()
      const laptop = await tessera.issueTokens('user-1', { device: 'laptop' })
      const phone = await tessera.issueTokens('user-1', { device: 'phone' })
      const bystander = await tessera.issueTokens('user-2')

      await tessera.revokeAllUserTokens('user-1')

      await expectCode(tessera.refreshTokens(laptop.refreshToken, { device: 'laptop' }), INVALID)
      await expectCode(tessera.refreshTokens(phone.refreshToken, { device: 'phone' }), INVALID)
      expect(
        await tessera.verifyAccessToken(laptop.accessToken, checked).catch((error) => error),
      ).toMatchObject({
        code: expect.stringMatching(/^(ERR_ACCESS_TOKEN_DENIED|ERR_TOKEN_VERSION_STALE)$/),
      })
      await expect(tessera.refreshTokens(bystander.refreshToken)).resolves.toBeDefined()
      await expect(tessera.verifyAccessToken(bystander.accessToken, checked)).resolves.toBeDefined()
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'user.revoked', userId: 'user-1', tokenVersion: 1 }),
      )
    })

    it('makes older access tokens stale through the token version', async () => {
      const { tessera, stores } = await fixture()
      // Not linked to any refresh token, so only the version can catch it.
      const loose = await tessera.generateAccessToken('user-1')
      await expect(tessera.verifyAccessToken(loose, checked)).resolves.toBeDefined()

      await tessera.revokeAllUserTokens('user-1')

      expect(await stores.tokenVersionStore.get('user-1')).toBe(1)
      await expectCode(tessera.verifyAccessToken(loose, checked), STALE)
      const fresh = await tessera.issueTokens('user-1')
      await expect(tessera.verifyAccessToken(fresh.accessToken, checked)).resolves.toBeDefined()
      await expect(tessera.refreshTokens(fresh.refreshToken)).resolves.toBeDefined()
    })
  })

  describe('revokeAccessToken', () => {
    it('denies the token on checked verification only', async () => {
      const { tessera } = await fixture()
      const accessToken = await tessera.generateAccessToken('user-1')
      const other = await tessera.generateAccessToken('user-1')
      const { jti, exp } = claimsOf(accessToken)

      await tessera.revokeAccessToken(jti, exp)

      await expectCode(tessera.verifyAccessToken(accessToken, checked), DENIED)
      await expect(tessera.verifyAccessToken(other, checked)).resolves.toBeDefined()
      // Without checkRevocation verification does no I/O, so it cannot know.
      await expect(tessera.verifyAccessToken(accessToken)).resolves.toBeDefined()
    })
  })

  describe('cleanup', () => {
    it('deletes expired refresh tokens and keeps the live ones', async () => {
      const { tessera, clock } = await fixture({ refreshTokenTtlSeconds: 86400 })
      const expiring = await tessera.generateRefreshToken('user-1')
      clock.advance(DAY_MS / 2)
      const live = await tessera.generateRefreshToken('user-1')
      clock.advance(DAY_MS / 2)

      const result = await tessera.cleanup()

      expect(result.refreshTokens).toBe(1)
      expect(result.denylist).toBeGreaterThanOrEqual(0)
      await expectCode(tessera.refreshTokens(expiring), INVALID)
      await expect(tessera.refreshTokens(live)).resolves.toBeDefined()
    })
  })
}
