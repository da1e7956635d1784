import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { KeySetError } from '../errors.js'
import type { KeyState, ManagedKey, SigningAlgorithm } from '../types.js'
import { thumbprintOf } from './generate.js'
import { type PublicJwk, publicHalf, publicJwkOf } from './jwks.js'
import { checkKeyAlgorithm, isSigningAlgorithm } from './key-type.js'

/** A private JWK as Tessera exports it: the key's own members plus `kid`, `alg`, `use`. */
export interface PrivateJwk {
  kty: 'EC' | 'RSA' | 'OKP'
  kid: string
  alg: SigningAlgorithm
  use: 'sig'
  d: string
  [member: string]: unknown
}

/** Options of {@link importKey}. */
export interface ImportKeyOptions {
  /**
   * Algorithm the key must fit; a mismatch is a {@link KeySetError}.
   * @default inferred from the key: P-256 → ES256, RSA → RS256, Ed25519 → EdDSA
   */
  alg?: SigningAlgorithm
  /**
   * State of the imported key.
   * @default 'active'
   */
  state?: KeyState
  /** Creation and state-change time, injectable for tests. */
  now?: Date
}

const PEM = /^-----BEGIN ([A-Z ]+)-----\r?\n[A-Za-z0-9+/=\r\n]+-----END \1-----\r?\n?$/

function fromPem(pem: string): { publicKey: KeyObject; privateKey: KeyObject | null } {
  const match = PEM.exec(`${pem.trim()}\n`)
  const label = match?.[1]
  try {
    if (label === 'PRIVATE KEY') {
      const privateKey = createPrivateKey({ key: pem, format: 'pem' })
      return { publicKey: createPublicKey(privateKey), privateKey }
    }
    if (label === 'PUBLIC KEY') {
      return { publicKey: createPublicKey({ key: pem, format: 'pem' }), privateKey: null }
    }
  } catch {
    throw new KeySetError(`PEM ${label} could not be parsed`)
  }
  throw new KeySetError('PEM must be a PKCS#8 "PRIVATE KEY" or an SPKI "PUBLIC KEY"')
}

function fromJwk(jwk: Record<string, unknown>): {
  publicKey: KeyObject
  privateKey: KeyObject | null
} {
  if (jwk.kty === 'oct' || 'k' in jwk) throw new KeySetError('JWK is a symmetric (oct) key')
  if (jwk.kty !== 'EC' && jwk.kty !== 'RSA' && jwk.kty !== 'OKP') {
    throw new KeySetError('JWK has an unsupported kty; expected EC, RSA or OKP')
  }
  if (jwk.use !== undefined && jwk.use !== 'sig') throw new KeySetError('JWK use is not "sig"')
  try {
    if ('d' in jwk) {
      const privateKey = createPrivateKey({ key: jwk as never, format: 'jwk' })
      return { publicKey: createPublicKey(privateKey), privateKey }
    }
    return { publicKey: createPublicKey({ key: jwk as never, format: 'jwk' }), privateKey: null }
  } catch {
    throw new KeySetError(`JWK (kty ${jwk.kty}) could not be parsed`)
  }
}

/**
 * Imports a key from PEM (PKCS#8 private or SPKI public) or from a JWK object. The key gets
 * its RFC 7638 thumbprint as `kid`. A public key imports as verify-only (`privateKey` null).
 * Throws a {@link KeySetError} when the key does not fit `alg`, is symmetric, unsupported,
 * or an RSA key under 2048 bits. Error messages never contain key material.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises'
 * import { importKey } from '@tessera/core'
 *
 * const key = await importKey(await readFile('signing.pem', 'utf8'), { alg: 'ES256' })
 * ```
 */
export async function importKey(
  material: string | object,
  options: ImportKeyOptions = {},
): Promise<ManagedKey> {
  if (options.alg !== undefined && !isSigningAlgorithm(options.alg)) {
    throw new KeySetError(`algorithm ${String(options.alg)} is not supported`)
  }
  let pair: { publicKey: KeyObject; privateKey: KeyObject | null }
  let declaredAlg: unknown
  if (typeof material === 'string') {
    pair = fromPem(material)
  } else if (typeof material === 'object' && material !== null && !Array.isArray(material)) {
    pair = fromJwk(material as Record<string, unknown>)
    declaredAlg = (material as Record<string, unknown>).alg
  } else {
    throw new KeySetError('key material must be a PEM string or a JWK object')
  }

  if (declaredAlg !== undefined) {
    if (!isSigningAlgorithm(declaredAlg)) throw new KeySetError('JWK has an unsupported alg')
    if (options.alg !== undefined && declaredAlg !== options.alg) {
      throw new KeySetError(`JWK alg ${declaredAlg} does not match algorithm ${options.alg}`)
    }
  }
  const alg = checkKeyAlgorithm(pair.publicKey, options.alg ?? (declaredAlg as SigningAlgorithm))
  const now = options.now ?? new Date()
  return {
    kid: await thumbprintOf(pair.publicKey),
    alg,
    state: options.state ?? 'active',
    publicKey: pair.publicKey,
    privateKey: pair.privateKey,
    createdAt: now,
    stateChangedAt: now,
  }
}

/**
 * Exports a key as PEM (SPKI public, PKCS#8 private) or as a JWK with `kid`, `alg` and
 * `use: 'sig'`. The public JWK is built from an allow-list of public members. Exporting the
 * private half of a verify-only key is a {@link KeySetError}.
 *
 * @example
 * ```ts
 * import { exportKey } from '@tessera/core'
 *
 * const pem = exportKey(key, 'pem', 'public')
 * const jwk = exportKey(key, 'jwk', 'private') // keep it secret
 * ```
 */
export function exportKey(key: ManagedKey, format: 'pem', part: 'public' | 'private'): string
export function exportKey(key: ManagedKey, format: 'jwk', part: 'public'): PublicJwk
export function exportKey(key: ManagedKey, format: 'jwk', part: 'private'): PrivateJwk
export function exportKey(
  key: ManagedKey,
  format: 'pem' | 'jwk',
  part: 'public' | 'private',
): string | PublicJwk | PrivateJwk
export function exportKey(
  key: ManagedKey,
  format: 'pem' | 'jwk',
  part: 'public' | 'private',
): string | PublicJwk | PrivateJwk {
  if (part === 'public') {
    if (format === 'jwk') return publicJwkOf(key)
    return publicHalf(key.publicKey).export({ format: 'pem', type: 'spki' }).toString()
  }
  if (!key.privateKey) throw new KeySetError(`key ${key.kid} has no private key to export`)
  if (format === 'pem') {
    return key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
  }
  const exported = key.privateKey.export({ format: 'jwk' }) as Record<string, unknown>
  return { ...exported, kid: key.kid, alg: key.alg, use: 'sig' } as PrivateJwk
}
