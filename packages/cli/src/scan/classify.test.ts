import { describe, expect, it } from 'vitest'
import { assertUsableBaselines, classify, ScanSetupError } from './classify.js'

const baselines = { valid: 200, unauthenticated: 401 }

describe('classify', () => {
  it('calls the valid status accepted', () => {
    expect(classify(200, baselines)).toBe('accepted')
  })

  it('calls the unauthenticated status, 401 and 403 rejected', () => {
    expect(classify(401, baselines)).toBe('rejected')
    expect(classify(403, baselines)).toBe('rejected')
    expect(classify(302, { valid: 200, unauthenticated: 302 })).toBe('rejected')
  })

  it('calls any other status or no answer inconclusive', () => {
    expect(classify(400, baselines)).toBe('inconclusive')
    expect(classify(500, baselines)).toBe('inconclusive')
    expect(classify(null, baselines)).toBe('inconclusive')
  })
})

describe('assertUsableBaselines', () => {
  it('refuses a valid token that is refused', () => {
    expect(() => assertUsableBaselines({ valid: 401, unauthenticated: 401 })).toThrow(
      ScanSetupError,
    )
  })

  it('refuses an endpoint that answers the same without a token', () => {
    expect(() => assertUsableBaselines({ valid: 200, unauthenticated: 200 })).toThrow(
      'answers 200 with and without a token',
    )
  })
})
