import { beforeAll, describe, expect, it } from 'vitest'
import { KeySetError } from '../errors.js'
import { resolveConfig } from '../lib/config.js'
import type { KeySet, ManagedKey } from '../types.js'
import { generateKey } from './generate.js'
import {
  activeKey,
  assertKeySet,
  DEFAULT_RETAIN_SECONDS,
  generateKeySet,
  rotateKeySet,
  verificationKey,
} from './key-set.js'

const T0 = new Date('2030-01-01T00:00:00Z')
const seconds = (s: number) => new Date(T0.getTime() + s * 1000)

function states(set: KeySet) {
  return set.keys.map((key) => `${key.state}:${key.kid}`).sort()
}

function codeOf(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return (error as KeySetError).code
  }
  return undefined
}

describe('generateKeySet', () => {
  it.each(['ES256', 'RS256', 'EdDSA'] as const)(
    'generates one active and one next %s key',
    async (alg) => {
      const set = await generateKeySet(alg, { now: T0 })

      expect(set.keys.map((key) => key.state).sort()).toEqual(['active', 'next'])
      expect(set.keys.every((key) => key.alg === alg && key.privateKey)).toBe(true)
      expect(set.keys[0]!.kid).not.toBe(set.keys[1]!.kid)
      expect(set.keys[0]!.createdAt).toEqual(T0)
    },
  )

  it('refuses RSA keys under 2048 bits', async () => {
    const error = await generateKeySet('RS256', { modulusLength: 1024 }).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(KeySetError)
    expect((error as KeySetError).code).toBe('ERR_KEY_SET_INVALID')
  })

  it('generates RSA keys of the requested size', async () => {
    const set = await generateKeySet('RS256', { modulusLength: 3072 })

    expect(activeKey(set).publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072)
  })
})

describe('rotateKeySet', () => {
  it('promotes next to active, active to retiring, and adds a fresh next key', async () => {
    const set = await generateKeySet('EdDSA', { now: T0 })
    const active = activeKey(set)
    const next = set.keys.find((key) => key.state === 'next')!

    const rotated = await rotateKeySet(set, { now: seconds(60) })

    expect(activeKey(rotated).kid).toBe(next.kid)
    expect(activeKey(rotated).stateChangedAt).toEqual(seconds(60))
    const retiring = rotated.keys.find((key) => key.state === 'retiring')!
    expect(retiring.kid).toBe(active.kid)
    expect(retiring.stateChangedAt).toEqual(seconds(60))
    const fresh = rotated.keys.find((key) => key.state === 'next')!
    expect([active.kid, next.kid]).not.toContain(fresh.kid)
    expect(fresh.privateKey).not.toBeNull()
    expect(rotated.keys).toHaveLength(3)
  })

  it('leaves the input set unchanged', async () => {
    const set = await generateKeySet('ES256', { now: T0 })
    const before = states(set)

    await rotateKeySet(set, { now: seconds(60) })

    expect(states(set)).toEqual(before)
  })

  it('keeps a key retiring for less than retainSeconds and drops it at retainSeconds', async () => {
    const set = await generateKeySet('ES256', { now: T0 })
    const first = activeKey(set).kid
    const once = await rotateKeySet(set, { now: seconds(0), retainSeconds: 930 })

    const early = await rotateKeySet(once, { now: seconds(929), retainSeconds: 930 })
    expect(early.keys.find((key) => key.kid === first)?.state).toBe('retiring')
    expect(early.keys.filter((key) => key.state === 'retiring')).toHaveLength(2)

    const due = await rotateKeySet(once, { now: seconds(930), retainSeconds: 930 })
    expect(due.keys.find((key) => key.kid === first)).toBeUndefined()
    expect(verificationKey(due, first)).toBeUndefined()
    expect(due.keys.filter((key) => key.state === 'retiring')).toHaveLength(1)
  })

  it('defaults retainSeconds to the access TTL plus clock tolerance (930 s)', async () => {
    const set = await generateKeySet('ES256', { now: T0 })
    const first = activeKey(set).kid
    const once = await rotateKeySet(set, { now: seconds(0) })

    expect(verificationKey(await rotateKeySet(once, { now: seconds(929) }), first)).toBeDefined()
    expect(verificationKey(await rotateKeySet(once, { now: seconds(930) }), first)).toBeUndefined()
  })

  it('keeps a key retiring for the default access TTL plus the default clock tolerance', async () => {
    const keys = await generateKeySet('ES256', { now: T0 })
    const config = resolveConfig({ keys, issuer: 'https://i.example', audience: 'a' })
    expect(DEFAULT_RETAIN_SECONDS).toBe(config.accessTokenTtlSeconds + config.clockToleranceSeconds)
  })

  it('drops keys already marked retired', async () => {
    const set = await generateKeySet('ES256', { now: T0 })
    const retired = await generateKey('ES256', { state: 'retired', now: T0 })

    const rotated = await rotateKeySet({ keys: [...set.keys, retired] }, { now: seconds(1) })

    expect(rotated.keys.some((key) => key.kid === retired.kid)).toBe(false)
  })

  it('generates the fresh next key with another algorithm when asked', async () => {
    const set = await generateKeySet('ES256', { now: T0 })

    const rotated = await rotateKeySet(set, { now: seconds(1), alg: 'EdDSA' })

    expect(activeKey(rotated).alg).toBe('ES256')
    expect(rotated.keys.find((key) => key.state === 'next')?.alg).toBe('EdDSA')
  })

  describe('RSA modulus length of the fresh next key', () => {
    const modulusOf = (key: ManagedKey | undefined) =>
      key?.publicKey.asymmetricKeyDetails?.modulusLength
    const nextOf = (set: KeySet) => set.keys.find((key) => key.state === 'next')
    let rsa3072: KeySet

    beforeAll(async () => {
      rsa3072 = await generateKeySet('RS256', { modulusLength: 3072, now: T0 })
    })

    it('keeps the size of the current next key by default', async () => {
      const rotated = await rotateKeySet(rsa3072, { now: seconds(1) })
      expect(modulusOf(nextOf(rotated))).toBe(3072)
    })

    it('uses the size it is given', async () => {
      const rotated = await rotateKeySet(rsa3072, { now: seconds(1), modulusLength: 2048 })
      expect(modulusOf(nextOf(rotated))).toBe(2048)
    })

    it('takes the size of an RS256 active key when the next key is not RSA', async () => {
      // Active RS256 (3072 bits), next ES256: switching the fresh key back to RS256.
      const migrating = await rotateKeySet(rsa3072, { now: seconds(1), alg: 'ES256' })
      expect(activeKey(migrating).alg).toBe('RS256')
      const back = await rotateKeySet(migrating, { now: seconds(2), alg: 'RS256' })
      expect(modulusOf(nextOf(back))).toBe(3072)
    })

    it('uses 2048 bits when no key of the set is RSA', async () => {
      const set = await generateKeySet('ES256', { now: T0 })
      const rotated = await rotateKeySet(set, { now: seconds(1), alg: 'RS256' })
      expect(modulusOf(nextOf(rotated))).toBe(2048)
    })
  })

  it('refuses a set without a next key', async () => {
    const active = await generateKey('ES256', { state: 'active' })

    const error = await rotateKeySet({ keys: [active] }).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(KeySetError)
    expect((error as KeySetError).code).toBe('ERR_KEY_SET_INVALID')
  })

  it('refuses a negative retainSeconds', async () => {
    const set = await generateKeySet('ES256')

    const error = await rotateKeySet(set, { retainSeconds: -1 }).catch((e: unknown) => e)

    expect((error as KeySetError).code).toBe('ERR_KEY_SET_INVALID')
  })
})

describe('activeKey', () => {
  it('returns the one active key', async () => {
    const set = await generateKeySet('ES256')

    expect(activeKey(set).state).toBe('active')
  })

  it('throws when the set has no active key', async () => {
    const next = await generateKey('ES256', { state: 'next' })

    expect(codeOf(() => activeKey({ keys: [next] }))).toBe('ERR_KEY_SET_INVALID')
  })

  it('throws when the set has two active keys', async () => {
    const a = await generateKey('ES256')
    const b = await generateKey('ES256')

    expect(codeOf(() => activeKey({ keys: [a, b] }))).toBe('ERR_KEY_SET_INVALID')
  })

  it('throws when the active key has no private key', async () => {
    const key: ManagedKey = { ...(await generateKey('ES256')), privateKey: null }

    expect(codeOf(() => activeKey({ keys: [key] }))).toBe('ERR_KEY_SET_INVALID')
  })
})

describe('verificationKey', () => {
  it('finds next, active and retiring keys by kid', async () => {
    const keys = await Promise.all(
      (['next', 'active', 'retiring'] as const).map((state) => generateKey('ES256', { state })),
    )
    const set = { keys }

    for (const key of keys) expect(verificationKey(set, key.kid)).toBe(key)
  })

  it('never returns a retired key', async () => {
    const retired = await generateKey('ES256', { state: 'retired' })

    expect(verificationKey({ keys: [retired] }, retired.kid)).toBeUndefined()
  })

  it('returns undefined for an unknown kid', async () => {
    expect(verificationKey(await generateKeySet('ES256'), 'unknown')).toBeUndefined()
  })
})

describe('assertKeySet', () => {
  it('rejects a kid that appears twice', async () => {
    const key = await generateKey('ES256')
    const twin = { ...key, state: 'next' as const }

    expect(codeOf(() => assertKeySet({ keys: [key, twin] }))).toBe('ERR_KEY_SET_INVALID')
  })

  it('rejects two next keys', async () => {
    const set = await generateKeySet('ES256')
    const extra = await generateKey('ES256', { state: 'next' })

    expect(codeOf(() => assertKeySet({ keys: [...set.keys, extra] }))).toBe('ERR_KEY_SET_INVALID')
  })
})
