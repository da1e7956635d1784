import { describe, expect, it, vi } from 'vitest'
import { type TokenError, TokenExpiredError } from '../errors.js'
import { generateKey } from '../keys/generate.js'
import { createMemoryStores } from '../stores/memory.js'
import { createTessera } from '../tessera.js'
import { createTestClock } from '../testing/test-clock.js'
import type { AccessTokenClaims, KeySet, TesseraOptions, VerifiedAccessToken } from '../types.js'
import { createVerifiedTokenCache } from './verified-cache.js'

// Counts full verifications made through the facade, to tell cache hits from misses.
const full = vi.hoisted(() => ({ count: 0 }))
vi.mock('./verify.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./verify.js')>()
  return {
    ...original,
    createAccessTokenVerifier: (...args: Parameters<typeof original.createAccessTokenVerifier>) => {
      const verify = original.createAccessTokenVerifier(...args)
      return (token: string) => {
        full.count++
        return verify(token)
      }
    },
  }
})

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

  it('returns deeply frozen claims on a miss and the same object on a hit', async () => {
    const { clock } = testClock()
    const { verify } = fakeVerifier({ a: { aud: ['x', 'y'], role: 'user' } }, clock)
    const cached = createVerifiedTokenCache(verify, { maxEntries: 10, clock })

    const first = await cached('a')
    expect(() => {
      ;(first.claims as { role?: string }).role = 'admin'
    }).toThrow(TypeError)
    expect(() => (first.claims.aud as string[]).push('z')).toThrow(TypeError)
    const second = await cached('a')

    expect(Object.isFrozen(second.claims)).toBe(true)
    expect(Object.isFrozen(second.claims.aud)).toBe(true)
    expect(second.claims).toBe(first.claims)
    expect(second.claims.role).toBe('user')
    expect(second.claims.aud).toEqual(['x', 'y'])
  })

  it('keeps an own __proto__ claim a property, never the prototype', async () => {
    const { clock } = testClock()
    const parsed = JSON.parse('{"__proto__": {"role": "admin"}, "sub": "u"}')
    const verify = async (): Promise<VerifiedAccessToken> => ({
      claims: { iss: 'i', aud: 'a', iat: T0, exp: T0 + 900, jti: 'j', ...parsed, sub: 'u' },
      kid: 'k1',
    })
    const source = await verify()
    const cached = createVerifiedTokenCache(verify, { maxEntries: 10, clock })

    await cached('a')
    const hit = await cached('a')
    expect(Object.getPrototypeOf(hit.claims)).toBe(Object.prototype)
    expect(hit.claims.role).toBeUndefined()
    expect(Object.hasOwn(hit.claims, '__proto__')).toBe(Object.hasOwn(source.claims, '__proto__'))
    expect(hit.claims).toEqual(source.claims)
    const own = Object.getOwnPropertyDescriptor(hit.claims, '__proto__')
    if (own) expect(Object.isFrozen(own.value)).toBe(true)
  })
})

async function codeOf(promise: Promise<unknown>) {
  try {
    await promise
  } catch (error) {
    return (error as TokenError).code
  }
  return 'resolved'
}

/** The token with one character of its signature changed, still canonical base64url. */
function flipSignatureChar(token: string) {
  const at = token.lastIndexOf('.') + 10
  const replacement = token[at] === 'A' ? 'B' : 'A'
  return token.slice(0, at) + replacement + token.slice(at + 1)
}

describe('createTessera', () => {
  const clock = createTestClock()
  let keys: KeySet

  async function setup(overrides: Partial<TesseraOptions> = {}) {
    keys ??= { keys: [await generateKey('ES256', { now: clock.now() })] }
    const tessera = createTessera({
      keys,
      issuer: 'https://auth.example.com',
      audience: 'https://api.example.com',
      secret: 'x'.repeat(32),
      clock: clock.now,
      verifiedTokenCache: { maxEntries: 100 },
      ...overrides,
    })
    full.count = 0
    return tessera
  }

  it('verifies a repeated token once with verifiedTokenCache and returns the same result', async () => {
    const tessera = await setup()
    const token = await tessera.generateAccessToken('user-1', 'admin')

    const first = await tessera.verifyAccessToken(token)
    const second = await tessera.verifyAccessToken(token)

    expect(second).toEqual(first)
    expect(second.claims.sub).toBe('user-1')
    expect(full.count).toBe(1)
  })

  it('verifies every call in full when verifiedTokenCache is not set', async () => {
    const tessera = await setup({ verifiedTokenCache: undefined })
    const token = await tessera.generateAccessToken('user-1')

    await tessera.verifyAccessToken(token)
    await tessera.verifyAccessToken(token)
    expect(full.count).toBe(2)
  })

  it.each([
    ['with', { maxEntries: 100 }],
    ['without', undefined],
  ] as const)(
    'returns frozen claims on a miss and a hit %s verifiedTokenCache',
    async (_, cache) => {
      const tessera = await setup({ verifiedTokenCache: cache })
      const token = await tessera.generateAccessToken('user-1', 'user')

      for (const { claims } of [
        await tessera.verifyAccessToken(token),
        await tessera.verifyAccessToken(token),
      ]) {
        expect(Object.isFrozen(claims)).toBe(true)
        expect(() => {
          ;(claims as { role?: string }).role = 'admin'
        }).toThrow(TypeError)
      }
      expect((await tessera.verifyAccessToken(token)).claims.role).toBe('user')
    },
  )

  it('refuses a token differing in one signature character from a cached one', async () => {
    const tessera = await setup()
    const token = await tessera.generateAccessToken('user-1')
    await tessera.verifyAccessToken(token)

    const tampered = flipSignatureChar(token)
    expect(tampered).not.toBe(token)
    expect(await codeOf(tessera.verifyAccessToken(tampered))).toBe('ERR_SIGNATURE_INVALID')
    expect(await codeOf(tessera.verifyAccessToken(tampered))).toBe('ERR_SIGNATURE_INVALID')
  })

  it('never shares cached tokens between instances with different audiences', async () => {
    const api = await setup()
    const other = await setup({ audience: 'https://other.example.com' })
    const token = await api.generateAccessToken('user-1')
    await api.verifyAccessToken(token)

    expect(await codeOf(other.verifyAccessToken(token))).toBe('ERR_CLAIM_INVALID')
  })

  it('refuses a cached token at an instance whose key set no longer holds its key', async () => {
    const before = await setup()
    const token = await before.generateAccessToken('user-1')
    await before.verifyAccessToken(token)

    // Key sets are immutable per instance: retiring a key means a new instance, new cache.
    const [old] = keys.keys
    const fresh = await generateKey('ES256', { now: clock.now() })
    const after = await setup({
      keys: { keys: [fresh, { ...(old as (typeof keys.keys)[0]), state: 'retired' }] },
    })
    expect(await codeOf(after.verifyAccessToken(token))).toBe('ERR_KEY_UNKNOWN')
  })

  it('never serves a cached token past exp', async () => {
    const tessera = await setup()
    const token = await tessera.generateAccessToken('user-1')
    await tessera.verifyAccessToken(token)

    clock.advance(899_000)
    await tessera.verifyAccessToken(token)
    expect(full.count).toBe(1)

    // At exp, inside the tolerance: verified in full again, not served from the cache.
    clock.advance(1_000)
    await tessera.verifyAccessToken(token)
    expect(full.count).toBe(2)

    clock.advance(30_000)
    expect(await codeOf(tessera.verifyAccessToken(token))).toBe('ERR_TOKEN_EXPIRED')
  })

  it('keeps at most maxEntries tokens', async () => {
    const tessera = await setup({ verifiedTokenCache: { maxEntries: 2 } })
    const tokens = await Promise.all(['a', 'b', 'c'].map((id) => tessera.generateAccessToken(id)))
    for (const token of tokens) await tessera.verifyAccessToken(token)
    expect(full.count).toBe(3)

    await tessera.verifyAccessToken(tokens[2] as string)
    expect(full.count).toBe(3)
    await tessera.verifyAccessToken(tokens[0] as string)
    expect(full.count).toBe(4)
  })

  it('refuses a denylisted token on a cache hit when checkRevocation is set', async () => {
    const tessera = await setup(createMemoryStores())
    const token = await tessera.generateAccessToken('user-1')
    const { claims } = await tessera.verifyAccessToken(token, { checkRevocation: true })

    await tessera.revokeAccessToken(claims.jti, claims.exp)
    const code = await codeOf(tessera.verifyAccessToken(token, { checkRevocation: true }))
    expect(code).toBe('ERR_ACCESS_TOKEN_DENIED')
    expect(full.count).toBe(1)
  })

  it('refuses a token of a user whose tokens were all revoked, on a cache hit', async () => {
    const tessera = await setup(createMemoryStores())
    const token = await tessera.generateAccessToken('user-1')
    await tessera.verifyAccessToken(token, { checkRevocation: true })

    await tessera.revokeAllUserTokens('user-1')
    const code = await codeOf(tessera.verifyAccessToken(token, { checkRevocation: true }))
    expect(code).toBe('ERR_TOKEN_VERSION_STALE')
    expect(full.count).toBe(1)
  })

  it('rejects a verifiedTokenCache whose maxEntries is not a positive integer', async () => {
    await expect(setup({ verifiedTokenCache: { maxEntries: 0 } })).rejects.toThrow(TypeError)
    await expect(setup({ verifiedTokenCache: { maxEntries: Number.NaN } })).rejects.toThrow(
      /maxEntries/,
    )
  })
})
