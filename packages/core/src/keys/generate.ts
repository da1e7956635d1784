import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { calculateJwkThumbprint, type JWK } from 'jose'
import { KeySetError } from '../errors.js'
import type { KeyState, ManagedKey, SigningAlgorithm } from '../types.js'
import { MIN_RSA_MODULUS_LENGTH } from './key-type.js'

/** Options of {@link generateKey}. */
export interface GenerateKeyOptions {
  /**
   * State of the new key.
   * @default 'active'
   */
  state?: KeyState
  /**
   * RSA modulus length; values below 2048 are refused.
   * @default 2048
   */
  modulusLength?: number
  /** Creation time, injectable for tests. */
  now?: Date
}

function generatePair(alg: SigningAlgorithm, modulusLength: number) {
  switch (alg) {
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    case 'RS256':
      if (!Number.isInteger(modulusLength) || modulusLength < MIN_RSA_MODULUS_LENGTH) {
        throw new KeySetError(`RSA keys must be at least ${MIN_RSA_MODULUS_LENGTH} bits`)
      }
      return generateKeyPairSync('rsa', { modulusLength, publicExponent: 0x10001 })
    case 'EdDSA':
      return generateKeyPairSync('ed25519')
    default:
      throw new KeySetError(`algorithm ${String(alg)} is not supported`)
  }
}

/**
 * RFC 7638 thumbprint (SHA-256, base64url) of a public key: the `kid` Tessera uses.
 *
 * @example
 * ```ts
 * import { generateKey, thumbprintOf } from '@tessera/core'
 *
 * const key = await generateKey('ES256')
 * await thumbprintOf(key.publicKey) // === key.kid
 * ```
 */
export async function thumbprintOf(publicKey: KeyObject): Promise<string> {
  return calculateJwkThumbprint(publicKey.export({ format: 'jwk' }) as JWK, 'sha256')
}

/**
 * Generates a signing key pair for `alg`, with its RFC 7638 thumbprint as `kid`.
 * Throws a {@link KeySetError} for an unsupported algorithm or an RSA modulus under 2048 bits.
 *
 * @example
 * ```ts
 * import { generateKey } from '@tessera/core'
 *
 * const key = await generateKey('EdDSA', { state: 'next' })
 * ```
 */
export async function generateKey(
  alg: SigningAlgorithm,
  options: GenerateKeyOptions = {},
): Promise<ManagedKey> {
  const { publicKey, privateKey } = generatePair(alg, options.modulusLength ?? 2048)
  const now = options.now ?? new Date()
  return {
    kid: await thumbprintOf(publicKey),
    alg,
    state: options.state ?? 'active',
    publicKey,
    privateKey,
    createdAt: now,
    stateChangedAt: now,
  }
}
