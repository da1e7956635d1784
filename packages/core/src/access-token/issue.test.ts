import { exportJWK, importJWK, jwtVerify, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { KeySetError } from '../errors.js'
import { generateKey } from '../keys/generate.js'
import type { TokenVersionStore } from '../types.js'
import {
  AUDIENCE,
  ISSUER,
  keyFor,
  NOW,
  NOW_SECONDS,
  rejectionOf,
  setup,
} from './__fixtures__/tokens.js'

function decode(segment: string | undefined) {
  return JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8'))
}

describe('createAccessTokenIssuer', () => {
  it('signs the documented header and claims with the active key', async () => {
    const active = await keyFor('ES256')
    const next = await generateKey('ES256', { state: 'next', now: NOW })
    const { issuer } = setup({ keys: [next, active] })

    const { token, jti, expiresAt } = await issuer.issue('user-1', 'admin')
    const [header, payload] = token.split('.')

    expect(decode(header)).toEqual({ alg: 'ES256', kid: active.kid, typ: 'at+jwt' })
    expect(decode(payload)).toEqual({
      iss: ISSUER,
      sub: 'user-1',
      aud: AUDIENCE,
      exp: NOW_SECONDS + 900,
      iat: NOW_SECONDS,
      jti,
      role: 'admin',
    })
    expect(expiresAt).toEqual(new Date((NOW_SECONDS + 900) * 1000))
  })

  it('omits role when none is given and honours accessTokenTtlSeconds', async () => {
    const { issuer } = setup({ keys: [await keyFor('ES256')] }, { accessTokenTtlSeconds: 60 })
    const { token } = await issuer.issue('user-1')
    const claims = decode(token.split('.')[1])

    expect(claims).not.toHaveProperty('role')
    expect(claims).not.toHaveProperty('ver')
    expect(claims.exp - claims.iat).toBe(60)
  })

  it('draws a jti of at least 128 random bits per token', async () => {
    const { issuer } = setup({ keys: [await keyFor('EdDSA')] })
    const jtis = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const { jti } = await issuer.issue('user-1')
      expect(Buffer.from(jti, 'base64url').byteLength).toBeGreaterThanOrEqual(16)
      jtis.add(jti)
    }
    expect(jtis.size).toBe(200)
  })

  it('carries the token version only when a token version store is configured', async () => {
    const versions: TokenVersionStore = {
      get: async (userId) => (userId === 'user-1' ? 3 : 0),
      bump: async () => 4,
    }
    const { issuer } = setup({ keys: [await keyFor('ES256')] }, { tokenVersionStore: versions })
    const { token } = await issuer.issue('user-1')
    expect(decode(token.split('.')[1]).ver).toBe(3)
  })

  it('refuses a key set without an active key', async () => {
    const next = await generateKey('ES256', { state: 'next', now: NOW })
    const { issuer } = setup({ keys: [next] })
    const error = await rejectionOf(issuer.issue('user-1'))
    expect(error).toBeInstanceOf(KeySetError)
    expect(error).toMatchObject({ code: 'ERR_KEY_SET_INVALID' })
  })

  it('refuses an empty user id', async () => {
    const { issuer } = setup({ keys: [await keyFor('ES256')] })
    await expect(issuer.issue('')).rejects.toThrow(TypeError)
  })

  it.each(['ES256', 'RS256', 'EdDSA'] as const)(
    'issues %s tokens that jose verifies as RFC 9068 access tokens, and verifies jose tokens',
    async (alg) => {
      const key = await keyFor(alg)
      const { issuer, verify } = setup({ keys: [key] })
      const publicJwk = await exportJWK(key.publicKey)
      const { token } = await issuer.issue('user-1')

      const { payload, protectedHeader } = await jwtVerify(token, await importJWK(publicJwk, alg), {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [alg],
        typ: 'at+jwt',
        currentDate: NOW,
      })
      expect(payload.sub).toBe('user-1')
      expect(protectedHeader.kid).toBe(key.kid)

      const joseToken = await new SignJWT({ jti: 'from-jose' })
        .setProtectedHeader({ alg, kid: key.kid, typ: 'at+jwt' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject('user-2')
        .setIssuedAt(NOW_SECONDS)
        .setExpirationTime(NOW_SECONDS + 60)
        .sign(key.privateKey!)
      await expect(verify(joseToken)).resolves.toMatchObject({ claims: { sub: 'user-2' } })
    },
  )
})
