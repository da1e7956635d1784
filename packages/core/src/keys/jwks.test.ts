import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { KeySetError } from '../errors.js'
import type { KeySet, ManagedKey } from '../types.js'
import { generateKey } from './generate.js'
import { exportKey, importKey } from './import-export.js'
import { keySetFromJwks, PRIVATE_JWK_MEMBERS, toJwks } from './jwks.js'
import { activeKey, generateKeySet } from './key-set.js'

const ALGS = ['ES256', 'RS256', 'EdDSA'] as const

const cookbookRsa = JSON.parse(
  readFileSync(
    new URL('../../test/vectors/data/jose-cookbook/jwk/3_4.rsa_private_key.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>

function expectNoPrivateMember(jwks: { keys: object[] }) {
  for (const jwk of jwks.keys) {
    for (const member of PRIVATE_JWK_MEMBERS) expect(jwk).not.toHaveProperty(member)
  }
}

describe('toJwks', () => {
  it.each(ALGS)('publishes the public %s keys with kid, alg and use', async (alg) => {
    const set = await generateKeySet(alg)

    const jwks = toJwks(set)

    expect(jwks.keys).toHaveLength(2)
    for (const [index, jwk] of jwks.keys.entries()) {
      expect(jwk).toMatchObject({ kid: set.keys[index]!.kid, alg, use: 'sig' })
    }
    expectNoPrivateMember(jwks)
  })

  it.each(ALGS)('copies only the public members of %s keys', async (alg) => {
    const jwks = toJwks(await generateKeySet(alg))

    const allowed = ['kty', 'kid', 'alg', 'use', 'crv', 'x', 'y', 'n', 'e']
    for (const jwk of jwks.keys) {
      for (const member of Object.keys(jwk)) expect(allowed).toContain(member)
    }
  })

  it.each(ALGS)('leaks nothing from %s keys imported from private JWKs', async (alg) => {
    const generated = await generateKeySet(alg)
    const imported: KeySet = {
      keys: await Promise.all(
        generated.keys.map((key) =>
          importKey(exportKey(key, 'jwk', 'private'), { alg, state: key.state }),
        ),
      ),
    }
    expect(imported.keys.every((key) => key.privateKey)).toBe(true)

    expectNoPrivateMember(toJwks(imported))
    expect(toJwks(imported)).toEqual(toJwks(generated))
  })

  it('leaks nothing from the RSA key of the JOSE cookbook imported from its private JWK', async () => {
    const key = await importKey(cookbookRsa, { alg: 'RS256' })

    const jwks = toJwks({ keys: [key] })

    expectNoPrivateMember(jwks)
    expect(jwks.keys[0]!.n).toBe(cookbookRsa.n)
  })

  it.each(ALGS)('leaks nothing when a private %s KeyObject sits in publicKey', async (alg) => {
    const key = await generateKey(alg)
    const mistaken: ManagedKey = { ...key, publicKey: key.privateKey! }

    expectNoPrivateMember(toJwks({ keys: [mistaken] }))
  })

  it('copies members by allow-list even when the key exports private members', async () => {
    const key = await generateKey('RS256')
    const exported = { ...key.privateKey!.export({ format: 'jwk' }), k: 'c2VjcmV0', extra: 'x' }
    const leaky = { type: 'public', export: () => exported } as unknown as KeyObject

    const jwks = toJwks({ keys: [{ ...key, publicKey: leaky }] })

    expectNoPrivateMember(jwks)
    expect(Object.keys(jwks.keys[0]!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use'])
  })

  it('publishes next, active and retiring keys but never retired ones', async () => {
    const keys = await Promise.all(
      (['next', 'active', 'retiring', 'retired'] as const).map((state) =>
        generateKey('EdDSA', { state }),
      ),
    )

    const kids = toJwks({ keys }).keys.map((jwk) => jwk.kid)

    expect(kids).toEqual(keys.slice(0, 3).map((key) => key.kid))
  })
})

describe('keySetFromJwks', () => {
  it.each(ALGS)('builds a verify-only set from a %s JWKS', async (alg) => {
    const set = await generateKeySet(alg)

    const verifyOnly = await keySetFromJwks(JSON.parse(JSON.stringify(toJwks(set))))

    expect(verifyOnly.keys.map((key) => key.kid)).toEqual(set.keys.map((key) => key.kid))
    expect(verifyOnly.keys.every((key) => key.privateKey === null && key.alg === alg)).toBe(true)
    expect(() => activeKey(verifyOnly)).toThrow(KeySetError)
  })

  it('gives a key without kid its RFC 7638 thumbprint', async () => {
    const key = await generateKey('ES256')
    const { kid: _kid, ...jwk } = exportKey(key, 'jwk', 'public')

    const set = await keySetFromJwks({ keys: [jwk] })

    expect(set.keys[0]!.kid).toBe(key.kid)
  })

  it.each(PRIVATE_JWK_MEMBERS)('rejects a key with the private member %s', async (member) => {
    const jwk = { ...exportKey(await generateKey('RS256'), 'jwk', 'public'), [member]: 'AQAB' }

    const error = await keySetFromJwks({ keys: [jwk] }).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(KeySetError)
    expect((error as KeySetError).code).toBe('ERR_KEY_SET_INVALID')
  })

  it('rejects a symmetric key', async () => {
    const error = await keySetFromJwks({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }).catch(
      (e: unknown) => e,
    )

    expect((error as KeySetError).code).toBe('ERR_KEY_SET_INVALID')
    expect((error as Error).message).toMatch(/symmetric/)
    expect((error as Error).message).not.toContain('c2VjcmV0')
  })

  it('rejects an alg that does not fit the key type', async () => {
    const jwk = { ...exportKey(await generateKey('ES256'), 'jwk', 'public'), alg: 'RS256' }

    const error = await keySetFromJwks({ keys: [jwk] }).catch((e: unknown) => e)

    expect((error as KeySetError).code).toBe('ERR_KEY_SET_INVALID')
    expect((error as Error).message).toMatch(/does not match algorithm RS256/)
  })

  it('rejects an unsupported curve and a small RSA key', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey

    for (const key of [p384, rsa1024]) {
      const error = await keySetFromJwks({ keys: [key.export({ format: 'jwk' })] }).catch(
        (e: unknown) => e,
      )
      expect((error as KeySetError).code).toBe('ERR_KEY_SET_INVALID')
    }
  })

  it('rejects a document that is not a JWKS', async () => {
    for (const document of [null, [], {}, { keys: {} }, { keys: ['x'] }]) {
      const error = await keySetFromJwks(document).catch((e: unknown) => e)
      expect((error as KeySetError).code).toBe('ERR_KEY_SET_INVALID')
    }
  })
})
