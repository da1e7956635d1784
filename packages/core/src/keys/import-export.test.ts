import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { KeySetError } from '../errors.js'
import { generateKey } from './generate.js'
import { exportKey, importKey } from './import-export.js'

function cookbook(name: string) {
  const url = new URL(`../../test/vectors/data/jose-cookbook/jwk/${name}`, import.meta.url)
  return JSON.parse(readFileSync(url, 'utf8')) as Record<string, string>
}

/** RFC 7638 section 3.1: the example RSA key and its SHA-256 thumbprint. */
const RFC7638_KEY = {
  kty: 'RSA',
  n:
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJE' +
    'CPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2' +
    'QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQF' +
    'h6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
}
const RFC7638_THUMBPRINT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'

async function rejection(promise: Promise<unknown>): Promise<KeySetError> {
  const error = await promise.catch((e: unknown) => e)
  expect(error).toBeInstanceOf(KeySetError)
  return error as KeySetError
}

describe('importKey', () => {
  it('gives the RFC 7638 section 3.1 example key its thumbprint as kid', async () => {
    const key = await importKey(RFC7638_KEY)

    expect(key.kid).toBe(RFC7638_THUMBPRINT)
    expect(key.alg).toBe('RS256')
    expect(key.privateKey).toBeNull()
  })

  it('imports the JOSE cookbook RSA key pair with the same thumbprint for both halves', async () => {
    const privateKey = await importKey(cookbook('3_4.rsa_private_key.json'), { alg: 'RS256' })
    const publicKey = await importKey(cookbook('3_3.rsa_public_key.json'), { alg: 'RS256' })

    expect(privateKey.privateKey?.type).toBe('private')
    expect(privateKey.kid).toBe(publicKey.kid)
    expect(privateKey.kid).not.toBe('bilbo.baggins@hobbiton.example')
  })

  it('refuses the JOSE cookbook P-521 key as unsupported', async () => {
    const jwk = cookbook('3_2.ec_private_key.json')

    const error = await rejection(importKey(jwk, { alg: 'ES256' }))

    expect(error.code).toBe('ERR_KEY_SET_INVALID')
    expect(error.message).toMatch(/secp521r1/)
    expect(error.message).not.toContain(jwk.d)
  })

  it('refuses a symmetric JWK without echoing it', async () => {
    const error = await rejection(importKey(cookbook('3_5.symmetric_key_mac_computation.json')))

    expect(error.message).toMatch(/symmetric/)
    expect(error.message).not.toContain(cookbook('3_5.symmetric_key_mac_computation.json').k)
  })

  it.each([
    ['ES256', 'RS256'],
    ['RS256', 'EdDSA'],
    ['EdDSA', 'ES256'],
  ] as const)('refuses a %s key imported as %s', async (actual, claimed) => {
    const key = await generateKey(actual)
    const pem = exportKey(key, 'pem', 'private')

    const error = await rejection(importKey(pem, { alg: claimed }))

    expect(error.code).toBe('ERR_KEY_SET_INVALID')
    expect(error.message).toContain(`does not match algorithm ${claimed}`)
  })

  it('refuses a JWK whose alg member contradicts the requested alg', async () => {
    const jwk = { ...exportKey(await generateKey('ES256'), 'jwk', 'public'), alg: 'EdDSA' }

    const error = await rejection(importKey(jwk, { alg: 'ES256' }))

    expect(error.message).toMatch(/does not match/)
  })

  it('refuses an RSA key under 2048 bits', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()

    const error = await rejection(importKey(pem, { alg: 'RS256' }))

    expect(error.message).toMatch(/1024 bits refused/)
  })

  it('refuses PKCS#1 and SEC1 PEM, and PEM that does not parse, without echoing it', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const pkcs1 = privateKey.export({ format: 'pem', type: 'pkcs1' }).toString()
    const broken = '-----BEGIN PRIVATE KEY-----\nAAAAsecretAAAA\n-----END PRIVATE KEY-----\n'

    expect((await rejection(importKey(pkcs1))).message).toMatch(/PKCS#8/)
    const error = await rejection(importKey(broken))
    expect(error.message).toMatch(/could not be parsed/)
    expect(error.message).not.toContain('secret')
  })

  it('refuses material that is neither PEM nor a JWK object', async () => {
    expect((await rejection(importKey(42 as never))).code).toBe('ERR_KEY_SET_INVALID')
    expect((await rejection(importKey('not a key'))).code).toBe('ERR_KEY_SET_INVALID')
  })
})

describe('exportKey', () => {
  it.each(['ES256', 'RS256', 'EdDSA'] as const)(
    'round-trips a %s key through PEM and JWK',
    async (alg) => {
      const key = await generateKey(alg)

      const fromPrivatePem = await importKey(exportKey(key, 'pem', 'private'), { alg })
      const fromPublicPem = await importKey(exportKey(key, 'pem', 'public'), { alg })
      const fromPrivateJwk = await importKey(exportKey(key, 'jwk', 'private'), { alg })
      const fromPublicJwk = await importKey(exportKey(key, 'jwk', 'public'), { alg })

      for (const imported of [fromPrivatePem, fromPublicPem, fromPrivateJwk, fromPublicJwk]) {
        expect(imported.kid).toBe(key.kid)
      }
      expect(fromPrivatePem.privateKey?.equals(key.privateKey!)).toBe(true)
      expect(fromPublicPem.privateKey).toBeNull()
      expect(exportKey(key, 'pem', 'public')).toMatch(/^-----BEGIN PUBLIC KEY-----/)
      expect(exportKey(key, 'pem', 'private')).toMatch(/^-----BEGIN PRIVATE KEY-----/)
      expect(exportKey(key, 'jwk', 'private')).toMatchObject({ kid: key.kid, alg, use: 'sig' })
      expect(exportKey(key, 'jwk', 'public')).not.toHaveProperty('d')
    },
  )

  it('refuses to export the private half of a verify-only key', async () => {
    const key = await importKey(RFC7638_KEY)

    expect(() => exportKey(key, 'jwk', 'private')).toThrow(KeySetError)
    expect(() => exportKey(key, 'pem', 'private')).toThrow(KeySetError)
  })
})
