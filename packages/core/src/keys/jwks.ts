import { createPublicKey, type KeyObject } from 'node:crypto'
import { KeySetError } from '../errors.js'
import type { KeySet, ManagedKey, SigningAlgorithm } from '../types.js'
import { thumbprintOf } from './generate.js'
import { checkKeyAlgorithm, isSigningAlgorithm, withContext } from './key-type.js'

/** One public key as published in a JWKS. It has no private member by construction. */
export interface PublicJwk {
  kty: 'EC' | 'RSA' | 'OKP'
  kid: string
  alg: SigningAlgorithm
  use: 'sig'
  crv?: string
  x?: string
  y?: string
  n?: string
  e?: string
}

/** The public half of a key set as a JSON Web Key Set (RFC 7517 section 5). */
export interface Jwks {
  keys: PublicJwk[]
}

/** JWK members that hold private or symmetric key material (RFC 7518 section 6). */
export const PRIVATE_JWK_MEMBERS: readonly string[] = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

// An allow-list, not a deny-list: only these members are copied, so a member added to a
// key type later (or a private KeyObject passed by mistake) can never leak into a JWKS.
const PUBLIC_MEMBERS = {
  EC: ['crv', 'x', 'y'],
  RSA: ['n', 'e'],
  OKP: ['crv', 'x'],
} as const

/** The public KeyObject of a key pair, even when handed the private half by mistake. */
export function publicHalf(key: KeyObject): KeyObject {
  return key.type === 'private' ? createPublicKey(key) : key
}

/** The public JWK of `key`: allow-listed members only, plus `kid`, `alg` and `use`. */
export function publicJwkOf(key: Pick<ManagedKey, 'kid' | 'alg' | 'publicKey'>): PublicJwk {
  const exported = publicHalf(key.publicKey).export({ format: 'jwk' }) as Record<string, unknown>
  const kty = exported.kty
  if (kty !== 'EC' && kty !== 'RSA' && kty !== 'OKP') {
    throw new KeySetError(`key ${key.kid} has an unsupported key type`)
  }
  const jwk: PublicJwk = { kty, kid: key.kid, alg: key.alg, use: 'sig' }
  for (const member of PUBLIC_MEMBERS[kty]) {
    const value = exported[member]
    if (typeof value === 'string') jwk[member] = value
  }
  return jwk
}

/**
 * The public JWKS of a key set: its `next`, `active` and `retiring` keys, each with `kid`,
 * `alg` and `use: 'sig'`. `retired` keys are never published. Serve it at
 * `/.well-known/jwks.json`.
 *
 * @example
 * ```ts
 * import { toJwks } from '@tessera/core'
 *
 * app.get('/.well-known/jwks.json', () => toJwks(keys))
 * ```
 */
export function toJwks(set: KeySet): Jwks {
  return {
    keys: set.keys.filter((key) => key.state !== 'retired').map((key) => publicJwkOf(key)),
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Builds a verify-only key set (every key `active`, `privateKey` null) from a public JWKS,
 * for example one fetched from an issuer. Rejects symmetric (`oct`) keys, keys with any
 * private member, unsupported key types and a `alg` that does not fit its key. Each key keeps
 * its `kid`, or gets its RFC 7638 thumbprint when it has none.
 *
 * @example
 * ```ts
 * import { createTessera, keySetFromJwks } from '@tessera/core'
 *
 * const keys = await keySetFromJwks(await (await fetch(jwksUrl)).json())
 * const verifier = createTessera({ keys, issuer, audience })
 * ```
 */
export async function keySetFromJwks(jwks: unknown, options: { now?: Date } = {}): Promise<KeySet> {
  if (!isRecord(jwks) || !Array.isArray(jwks.keys)) {
    throw new KeySetError('JWKS must be an object with a keys array')
  }
  const now = options.now ?? new Date()
  const keys: ManagedKey[] = []
  for (const [index, jwk] of jwks.keys.entries()) {
    const where = `JWKS key ${index}`
    if (!isRecord(jwk)) throw new KeySetError(`${where} is not an object`)
    if (jwk.kty === 'oct') throw new KeySetError(`${where} is a symmetric (oct) key`)
    const leaked = PRIVATE_JWK_MEMBERS.find((member) => member in jwk)
    if (leaked) throw new KeySetError(`${where} holds the private member "${leaked}"`)
    if (jwk.use !== undefined && jwk.use !== 'sig') {
      throw new KeySetError(`${where} is not a signature key (use)`)
    }
    if (jwk.alg !== undefined && !isSigningAlgorithm(jwk.alg)) {
      throw new KeySetError(`${where} has an unsupported alg`)
    }

    let publicKey: KeyObject
    try {
      publicKey = createPublicKey({ key: jwk as never, format: 'jwk' })
    } catch {
      throw new KeySetError(`${where} is not a valid public JWK`)
    }
    const alg = withContext(where, () =>
      checkKeyAlgorithm(publicKey, jwk.alg as SigningAlgorithm | undefined),
    )
    const kid = typeof jwk.kid === 'string' && jwk.kid ? jwk.kid : await thumbprintOf(publicKey)
    if (keys.some((key) => key.kid === kid)) throw new KeySetError(`${where} repeats a kid`)
    keys.push({
      kid,
      alg,
      state: 'active',
      publicKey,
      privateKey: null,
      createdAt: now,
      stateChangedAt: now,
    })
  }
  return { keys }
}
