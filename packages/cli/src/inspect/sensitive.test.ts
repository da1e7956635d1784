import { describe, expect, it } from 'vitest'
import { findSensitiveClaims, passesLuhn, redactSensitiveClaims } from './sensitive.js'

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

const JWS = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1LTEifQ.c2lnbmF0dXJl'
const JWE = 'eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y2lwaGVydGV4dA.dGFn'

describe('findSensitiveClaims (tokens)', () => {
  it.each([
    ['refresh_token', 'opaque-refresh-value'],
    ['access_token', 'opaque-access-value'],
    ['id_token', 'opaque-id-value'],
    ['token', 'opaque-value'],
    ['csrf_token', 'opaque-value'],
    ['upstreamToken', 'opaque-value'],
    ['ACCESS-TOKEN', 'opaque-value'],
    ['accesstoken', 'opaque-value'],
  ])('flags the claim %j as a token by its name', (key, value) => {
    expect(findSensitiveClaims({ [key]: value })).toEqual([{ path: key, kind: 'token' }])
  })

  it.each(['typ', 'token_type', 'tokenType', 'tokens_issued', 'cnf'])(
    'leaves the claim %j alone',
    (key) => {
      expect(findSensitiveClaims({ [key]: 'Bearer' })).toEqual([])
    },
  )

  it('flags a session claim holding a string', () => {
    expect(findSensitiveClaims({ session: 's-123' })).toEqual([
      { path: 'session', kind: 'session' },
    ])
  })

  it('flags JWS and JWE shaped values under any name, registered claims included', () => {
    expect(
      findSensitiveClaims({ sub: JWS, upstream: { assertion: JWE }, note: 'eyJ.not' }),
    ).toEqual([
      { path: 'sub', kind: 'token' },
      { path: 'upstream.assertion', kind: 'token' },
    ])
  })
})

describe('redactSensitiveClaims', () => {
  it('redacts tokens by name and by shape but keeps typ, jti and token_type', () => {
    const claims = {
      jti: 'j-1',
      typ: 'at+jwt',
      token_type: 'Bearer',
      refresh_token: 'opaque-refresh-value',
      nested: { accessToken: 'opaque-access-value', link: JWS },
      session: 's-123',
    }
    expect(redactSensitiveClaims(claims)).toEqual({
      jti: 'j-1',
      typ: 'at+jwt',
      token_type: 'Bearer',
      refresh_token: '[redacted]',
      nested: { accessToken: '[redacted]', link: '[redacted]' },
      session: '[redacted]',
    })
  })
})
