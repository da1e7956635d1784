import { beforeAll, describe, expect, it } from 'vitest'
import { generateKey } from '../keys/generate.js'
import { createMemoryRefreshTokenStore } from '../stores/memory-refresh-token-store.js'
import { createTessera } from '../tessera.js'
import type { KeySet, SigningAlgorithm } from '../types.js'
import { resolveConfig } from './config.js'

const MINIMAL = { keys: { keys: [] }, issuer: 'i', audience: 'a' }

describe('resolveConfig', () => {
  it('rejects a secret shorter than 32 bytes', () => {
    expect(() => resolveConfig({ ...MINIMAL, secret: 'short' })).toThrow(/at least 32 bytes/)
  })

  it('rejects a refresh-token store without a secret at construction', () => {
    const refreshTokenStore = createMemoryRefreshTokenStore()
    expect(() => resolveConfig({ ...MINIMAL, refreshTokenStore })).toThrow(/needs the `secret`/)
    expect(() => resolveConfig({ ...MINIMAL, refreshTokenStore, secret: undefined })).toThrow(
      TypeError,
    )
  })

  it('applies the defaults that TesseraOptions documents', () => {
    expect(resolveConfig(MINIMAL)).toMatchObject({
      accessTokenTtlSeconds: 900,
      clockToleranceSeconds: 30,
      maxTokenBytes: 8192,
      refreshTokenTtlSeconds: 7 * 86400,
      familyLifetimeSeconds: 30 * 86400,
      rotationGraceSeconds: 5,
    })
  })
})

describe('createTessera', () => {
  let keys: KeySet

  beforeAll(async () => {
    keys = { keys: [await generateKey('ES256')] }
  })

  // `none` and HMAC in the allow-list would let a token choose an algorithm that needs no key
  // or a shared one (RFC 8725, section 3.1); PS256 is asymmetric but not one Tessera signs with.
  it.each(['HS256', 'HS384', 'none', 'PS256'])('refuses %s in the algorithm allow-list', (alg) => {
    const options = { keys, issuer: 'i', audience: 'a', algorithms: [alg as SigningAlgorithm] }
    expect(() => createTessera(options)).toThrow(TypeError)
    expect(() => createTessera(options)).toThrow(`algorithm ${alg} is not supported`)
  })

  it.each(['ES256', 'RS256', 'EdDSA'] as const)('accepts %s in the algorithm allow-list', (alg) => {
    expect(() =>
      createTessera({ keys, issuer: 'i', audience: 'a', algorithms: [alg] }),
    ).not.toThrow()
  })
})
