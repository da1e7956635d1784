import { describe, expect, it } from 'vitest'
import { resolveConfig } from './config.js'

describe('resolveConfig', () => {
  it('rejects a secret shorter than 32 bytes', () => {
    expect(() =>
      resolveConfig({ keys: { keys: [] }, issuer: 'i', audience: 'a', secret: 'short' }),
    ).toThrow(/at least 32 bytes/)
  })
})
