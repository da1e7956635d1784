import { describe, expect, it } from 'vitest'
import { findSensitiveClaims, passesLuhn } from './sensitive.js'

describe('passesLuhn', () => {
  it('accepts a valid card number and refuses one with a changed digit', () => {
    expect(passesLuhn('4111111111111111')).toBe(true)
    expect(passesLuhn('4111111111111112')).toBe(false)
  })
})

describe('findSensitiveClaims', () => {
  it('ignores registered claims even when their values are long digit strings', () => {
    expect(findSensitiveClaims({ sub: '4111111111111111', jti: '4111111111111111' })).toEqual([])
  })

  it('finds secrets by key name in nested objects and arrays', () => {
    expect(
      findSensitiveClaims({ user: { api_key: 'k' }, items: [{ passwd: 'p' }], pin: 1234 }),
    ).toEqual([
      { path: 'user.api_key', kind: 'secret' },
      { path: 'items[0].passwd', kind: 'secret' },
      { path: 'pin', kind: 'secret' },
    ])
  })

  it('ignores empty values under sensitive keys', () => {
    expect(findSensitiveClaims({ email: '', password: null })).toEqual([])
  })
})
