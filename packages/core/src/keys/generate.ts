import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { calculateJwkThumbprint, type JWK } from 'jose'
import type { KeyState, ManagedKey, SigningAlgorithm } from '../types.js'

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
      if (modulusLength < 2048) throw new TypeError('RSA keys must be at least 2048 bits')
      return generateKeyPairSync('rsa', { modulusLength, publicExponent: 0x10001 })
    case 'EdDSA':
      return generateKeyPairSync('ed25519')
    default:
      throw new TypeError(`algorithm ${String(alg)} is not supported`)
  }
}

/** RFC 7638 thumbprint (SHA-256, base64url) of a public key: the `kid` Tessera uses. */
export async function thumbprintOf(publicKey: KeyObject): Promise<string> {
  return calculateJwkThumbprint(publicKey.export({ format: 'jwk' }) as JWK, 'sha256')
}

/**
 * Generates a signing key pair for `alg`, with its RFC 7638 thumbprint as `kid`.
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
