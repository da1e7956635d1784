import { describe, expect, it } from 'vitest'
import { resolveConfig } from './config.js'

const MINIMAL = { keys: { keys: [] }, issuer: 'i', audience: 'a' }

describe('resolveConfig', () => {
  it('rejects a secret shorter than 32 bytes', () => {
    expect(() => resolveConfig({ ...MINIMAL, secret: 'short' })).toThrow(/at least 32 bytes/)
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
