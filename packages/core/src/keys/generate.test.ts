import { calculateJwkThumbprint, type JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { KeySetError } from '../errors.js'
import { generateKey, thumbprintOf } from './generate.js'

describe('generateKey', () => {
  it.each([
    ['ES256', 'ec'],
    ['RS256', 'rsa'],
    ['EdDSA', 'ed25519'],
  ] as const)('generates a %s key pair whose kid is its RFC 7638 thumbprint', async (alg, type) => {
    const key = await generateKey(alg, { state: 'next' })

    expect(key.publicKey.asymmetricKeyType).toBe(type)
    expect(key.privateKey?.type).toBe('private')
    expect(key.state).toBe('next')
    const jwk = key.publicKey.export({ format: 'jwk' }) as JWK
    expect(key.kid).toBe(await calculateJwkThumbprint(jwk, 'sha256'))
  })

  it('refuses RSA keys under 2048 bits', async () => {
    const error = await generateKey('RS256', { modulusLength: 1024 }).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(KeySetError)
    expect((error as KeySetError).code).toBe('ERR_KEY_SET_INVALID')
  })

  it('refuses an algorithm outside the allow-list', async () => {
    const error = await generateKey('HS256' as never).catch((e: unknown) => e)

    expect((error as KeySetError).code).toBe('ERR_KEY_SET_INVALID')
  })
})

describe('thumbprintOf', () => {
  it('gives the same kid for the private and the public half', async () => {
    const key = await generateKey('ES256')

    expect(await thumbprintOf(key.privateKey!)).toBe(await thumbprintOf(key.publicKey))
  })
})
