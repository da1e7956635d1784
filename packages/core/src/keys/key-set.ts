import { KeySetError } from '../errors.js'
import {
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
} from '../lib/defaults.js'
import type { KeySet, ManagedKey, SigningAlgorithm } from '../types.js'
import { generateKey } from './generate.js'

/** Options of {@link generateKeySet}. */
export interface GenerateKeySetOptions {
  /**
   * RSA modulus length for RS256; values below 2048 are refused.
   * @default 2048
   */
  modulusLength?: number
  /** Creation time, injectable for tests. */
  now?: Date
}

/** Options of {@link rotateKeySet}. */
export interface RotateKeySetOptions {
  /** Time of the rotation, injectable for tests. */
  now?: Date
  /**
   * How long a key stays `retiring` (verifies, no longer signs) before it is dropped:
   * at least the access token TTL plus the clock tolerance, so that every token it signed
   * has expired first.
   * @default 930 (900 s access token TTL + 30 s clock tolerance)
   */
  retainSeconds?: number
  /**
   * Algorithm of the fresh `next` key, to migrate algorithms one rotation ahead.
   * @default the algorithm of the current `next` key
   */
  alg?: SigningAlgorithm
  /**
   * RSA modulus length of the fresh `next` key when it is RS256; values below 2048 are
   * refused.
   * @default the modulus length of the current `next` key if it is RS256, else of the
   * `active` key if it is RS256, else 2048; rotation never shrinks an RSA key set silently
   */
  modulusLength?: number
}

/**
 * Default of {@link RotateKeySetOptions.retainSeconds}: the default access token TTL plus the
 * default clock tolerance (900 + 30), so that a retiring key outlives every token it signed.
 */
export const DEFAULT_RETAIN_SECONDS =
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS + DEFAULT_CLOCK_TOLERANCE_SECONDS

/**
 * Generates a key set of two keys: an `active` key that signs and a `next` key that is
 * published in the JWKS before it ever signs, so verifiers that cache the JWKS know it in
 * time for the next rotation.
 *
 * @example
 * ```ts
 * import { createTessera, generateKeySet } from '@tessera/core'
 *
 * const keys = await generateKeySet('ES256')
 * const tessera = createTessera({ keys, issuer: 'https://auth.example.com', audience: 'api' })
 * ```
 */
export async function generateKeySet(
  alg: SigningAlgorithm,
  options: GenerateKeySetOptions = {},
): Promise<KeySet> {
  const now = options.now ?? new Date()
  const common = { now, ...(options.modulusLength ? { modulusLength: options.modulusLength } : {}) }
  const active = await generateKey(alg, { ...common, state: 'active' })
  const next = await generateKey(alg, { ...common, state: 'next' })
  return { keys: [active, next] }
}

/**
 * Checks the invariants of a signing key set: unique `kid`s, exactly one `active` key with a
 * private key, at most one `next` key. Throws a {@link KeySetError} otherwise.
 *
 * @example
 * ```ts
 * import { assertKeySet } from '@tessera/core'
 *
 * assertKeySet(keys) // throws KeySetError when the set cannot sign
 * ```
 */
export function assertKeySet(set: KeySet): void {
  if (!set || !Array.isArray(set.keys)) throw new KeySetError('key set has no keys array')
  const kids = new Set<string>()
  for (const key of set.keys) {
    if (kids.has(key.kid)) throw new KeySetError(`key set holds kid ${key.kid} twice`)
    kids.add(key.kid)
  }
  activeKey(set)
  if (set.keys.filter((key) => key.state === 'next').length > 1) {
    throw new KeySetError('key set has more than one next key')
  }
}

/**
 * The key that signs: the one `active` key of the set. Throws a {@link KeySetError} when the
 * set has no active key, more than one, or an active key without its private key (a set
 * built from a JWKS can verify but not sign).
 *
 * @example
 * ```ts
 * import { activeKey } from '@tessera/core'
 *
 * const { kid, alg, privateKey } = activeKey(keys)
 * ```
 */
export function activeKey(set: KeySet): ManagedKey {
  const active = set.keys.filter((key) => key.state === 'active')
  if (active.length === 0) throw new KeySetError('key set has no active key')
  if (active.length > 1) throw new KeySetError('key set has more than one active key')
  const key = active[0]!
  if (!key.privateKey) throw new KeySetError(`active key ${key.kid} has no private key`)
  return key
}

/**
 * The key that verifies tokens carrying `kid`: a `next`, `active` or `retiring` key.
 * A `retired` key is never returned, so tokens it signed are rejected.
 *
 * @example
 * ```ts
 * import { verificationKey } from '@tessera/core'
 *
 * const key = verificationKey(keys, header.kid)
 * if (!key) throw new Error('unknown kid')
 * ```
 */
export function verificationKey(set: KeySet, kid: string): ManagedKey | undefined {
  return set.keys.find((key) => key.kid === kid && key.state !== 'retired')
}

/** Modulus length of the first RS256 key of `keys`, so that rotation keeps an RSA size. */
function rsaModulusLength(...keys: ManagedKey[]): number | undefined {
  const rsa = keys.find((key) => key.alg === 'RS256')
  return rsa?.publicKey.asymmetricKeyDetails?.modulusLength
}

/**
 * One rotation step, as a pure function returning a new set: the `next` key becomes `active`,
 * the `active` key becomes `retiring`, a fresh `next` key is generated (of the size of the
 * current RSA keys unless told otherwise), and keys that have
 * been `retiring` for at least `retainSeconds` are dropped (retired). Keys retiring for less
 * stay, so tokens they signed keep verifying until they expire.
 *
 * @example
 * ```ts
 * import { rotateKeySet } from '@tessera/core'
 *
 * const rotated = await rotateKeySet(keys, { retainSeconds: 900 + 30 })
 * ```
 */
export async function rotateKeySet(
  set: KeySet,
  options: RotateKeySetOptions = {},
): Promise<KeySet> {
  const now = options.now ?? new Date()
  const retainSeconds = options.retainSeconds ?? DEFAULT_RETAIN_SECONDS
  if (!Number.isFinite(retainSeconds) || retainSeconds < 0) {
    throw new KeySetError('retainSeconds must be a non-negative number')
  }

  assertKeySet(set)
  const current = activeKey(set)
  const next = set.keys.find((key) => key.state === 'next')
  if (!next) throw new KeySetError('key set has no next key to promote')
  if (!next.privateKey) throw new KeySetError(`next key ${next.kid} has no private key`)

  const alg = options.alg ?? next.alg
  const modulusLength =
    options.modulusLength ?? (alg === 'RS256' ? rsaModulusLength(next, current) : undefined)
  const fresh = await generateKey(alg, {
    state: 'next',
    now,
    ...(modulusLength !== undefined ? { modulusLength } : {}),
  })

  const retainMs = retainSeconds * 1000
  const stillRetiring = set.keys.filter(
    (key) => key.state === 'retiring' && now.getTime() - key.stateChangedAt.getTime() < retainMs,
  )
  return {
    keys: [
      { ...next, state: 'active', stateChangedAt: now },
      fresh,
      { ...current, state: 'retiring', stateChangedAt: now },
      ...stillRetiring,
    ],
  }
}
