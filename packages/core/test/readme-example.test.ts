// The core example of the root README, run as written (the secret comes from a constant here).
// If this test needs changing, the README needs the same change.
import { describe, expect, it } from 'vitest'
import {
  createMemoryStores,
  createTessera,
  generateKeySet,
  RefreshTokenReuseError,
  TokenRevokedError,
} from '../src/index.js'

describe('README core example', () => {
  it('runs login -> rotate -> reuse detected', async () => {
    const tessera = createTessera({
      keys: await generateKeySet('ES256'),
      issuer: 'https://auth.example.com',
      audience: 'https://api.example.com',
      secret: 'readme-example-secret-of-at-least-32-bytes',
      ...createMemoryStores(),
    })

    const login = await tessera.issueTokens('user-1', { role: 'user', device: 'laptop-42' })
    const { claims } = await tessera.verifyAccessToken(login.accessToken)
    expect(claims.sub).toBe('user-1')
    expect(claims.role).toBe('user')

    const next = await tessera.refreshTokens(login.refreshToken, { device: 'laptop-42' })
    await expect(
      tessera.refreshTokens(login.refreshToken, { device: 'attacker-box' }),
    ).rejects.toBeInstanceOf(RefreshTokenReuseError)

    // The family is revoked: the successor is dead and the access tokens are denylisted.
    await expect(
      tessera.refreshTokens(next.refreshToken, { device: 'laptop-42' }),
    ).rejects.toThrow()
    await expect(
      tessera.verifyAccessToken(next.accessToken, { checkRevocation: true }),
    ).rejects.toBeInstanceOf(TokenRevokedError)
  })
})
