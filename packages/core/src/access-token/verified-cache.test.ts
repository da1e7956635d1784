import { describe, expect, it } from 'vitest'
import { TokenExpiredError } from '../errors.js'
import type { AccessTokenClaims, VerifiedAccessToken } from '../types.js'
import { createVerifiedTokenCache } from './verified-cache.js'

const T0 = 1_700_000_000

/**
 * A stand-in for the full verifier: the token string is a key into a table of claims, and the
 * time checks (30 s tolerance) are judged against the same injected clock as the cache.
 */
function fakeVerifier(table: Record<string, Partial<AccessTokenClaims>>, clock: () => Date) {
  const calls: string[] = []
  const verify = async (token: string): Promise<VerifiedAccessToken> => {
    calls.push(token)
    const found = table[token]
    if (!found) throw new Error('unknown token')
    const now = Math.floor(clock().getTime() / 1000)
    const claims = { iss: 'i', sub: 'u', aud: 'a', iat: T0, exp: T0 + 900, jti: token, ...found }
    if (claims.exp <= now - 30) throw new TokenExpiredError(new Date(claims.exp * 1000))
    if (claims.nbf !== undefined && claims.nbf > now + 30) throw new Error('nbf')
    return { claims, kid: 'k1' }
  }
  return { verify, calls }
}

function testClock(start = T0) {
  let nowMs = start * 1000
  return {
    clock: () => new Date(nowMs),
    set: (seconds: number) => {
      nowMs = seconds * 1000
    },
  }
}

describe('createVerifiedTokenCache', () => {
  it('serves a repeated token from the cache without verifying it again', async () => {
    const { clock } = testClock()
    const { verify, calls } = fakeVerifier({ a: {} }, clock)
    const cached = createVerifiedTokenCache(verify, { maxEntries: 10, clock })

    const first = await cached('a')
    const second = await cached('a')

    expect(second).toEqual(first)
    expect(calls).toEqual(['a'])
  })

  it('keys entries by the whole token: a near-identical token is verified on its own', async () => {
    const { clock } = testClock()
    const { verify, calls } = fakeVerifier({ 'abc.def.sig1': {} }, clock)
    const cached = createVerifiedTokenCache(verify, { maxEntries: 10, clock })

    await cached('abc.def.sig1')
    await expect(cached('abc.def.sig2')).rejects.toThrow('unknown token')
    expect(calls).toEqual(['abc.def.sig1', 'abc.def.sig2'])
  })

  it('never caches a failure', async () => {
    const { clock } = testClock()
    const { verify, calls } = fakeVerifier({}, clock)
    const cached = createVerifiedTokenCache(verify, { maxEntries: 10, clock })

    await expect(cached('bad')).rejects.toThrow('unknown token')
    await expect(cached('bad')).rejects.toThrow('unknown token')
    expect(calls).toEqual(['bad', 'bad'])
    expect(cached.size).toBe(0)
  })

  it('drops an entry at exp and lets the full verifier judge the tolerance window', async () => {
    const { clock, set } = testClock()
    const { verify, calls } = fakeVerifier({ a: { exp: T0 + 60 } }, clock)
    const cached = createVerifiedTokenCache(verify, { maxEntries: 10, clock })

    await cached('a')
    set(T0 + 59)
    await cached('a')
    expect(calls).toHaveLength(1)

    // Past exp but inside the verifier's 30 s tolerance: verified again, not served.
    set(T0 + 60)
    await cached('a')
    expect(calls).toHaveLength(2)

    set(T0 + 90)
    const error = await cached('a').catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(TokenExpiredError)
    expect((error as TokenExpiredError).code).toBe('ERR_TOKEN_EXPIRED')
    expect(calls).toHaveLength(3)
    expect(cached.size).toBe(0)
  })

  it('judges nbf at hit time: a clock moved back before nbf is not served from the cache', async () => {
    const { clock, set } = testClock()
    const { verify, calls } = fakeVerifier({ a: { nbf: T0 } }, clock)
    const cached = createVerifiedTokenCache(verify, { maxEntries: 10, clock })

    await cached('a')
    set(T0 - 120)
    await expect(cached('a')).rejects.toThrow('nbf')
    expect(calls).toHaveLength(2)
  })

  it('does not serve a token before its nbf even when the verifier accepted it in tolerance', async () => {
    const { clock, set } = testClock()
    const { verify, calls } = fakeVerifier({ a: { nbf: T0 + 10 } }, clock)
    const cached = createVerifiedTokenCache(verify, { maxEntries: 10, clock })

    await cached('a')
    await cached('a')
    expect(calls).toHaveLength(2)
    set(T0 + 10)
    await cached('a')
    expect(calls).toHaveLength(2)
  })

  it('does not remember a token that the verifier accepted after its exp', async () => {
    const { clock } = testClock(T0 + 910)
    const { verify, calls } = fakeVerifier({ a: {} }, clock)
    const cached = createVerifiedTokenCache(verify, { maxEntries: 10, clock })

    await cached('a')
    await cached('a')
    expect(calls).toHaveLength(2)
    expect(cached.size).toBe(0)
  })

  it('keeps at most maxEntries tokens and evicts the least recently used', async () => {
    const { clock } = testClock()
    const { verify, calls } = fakeVerifier({ a: {}, b: {}, c: {} }, clock)
    const cached = createVerifiedTokenCache(verify, { maxEntries: 2, clock })

    await cached('a')
    await cached('b')
    await cached('a') // a is now the most recently used
    await cached('c') // evicts b
    expect(cached.size).toBe(2)

    calls.length = 0
    await cached('a')
    await cached('c')
    expect(calls).toEqual([])
    await cached('b')
    expect(calls).toEqual(['b'])
    expect(cached.size).toBe(2)
  })

  it('returns a fresh copy so that a caller mutating claims cannot poison later hits', async () => {
    const { clock } = testClock()
    const { verify } = fakeVerifier({ a: { aud: ['x', 'y'], role: 'user' } }, clock)
    const cached = createVerifiedTokenCache(verify, { maxEntries: 10, clock })

    const first = await cached('a')
    first.claims.role = 'admin'
    ;(first.claims.aud as string[]).push('z')
    const second = await cached('a')
    second.claims.role = 'admin'

    const third = await cached('a')
    expect(third.claims.role).toBe('user')
    expect(third.claims.aud).toEqual(['x', 'y'])
  })

  it('rejects a maxEntries that is not a positive integer', () => {
    const verify = async (): Promise<VerifiedAccessToken> => {
      throw new Error('unused')
    }
    expect(() => createVerifiedTokenCache(verify, { maxEntries: 0 })).toThrow(TypeError)
    expect(() => createVerifiedTokenCache(verify, { maxEntries: 1.5 })).toThrow(TypeError)
  })
})
