import type { KeyObject } from 'node:crypto'
import { KeySetError } from '../errors.js'
import type { SigningAlgorithm } from '../types.js'

/** The algorithms a key set may hold, in the order the CLI lists them. */
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['ES256', 'RS256', 'EdDSA']

/** Smallest RSA modulus Tessera signs or verifies with. */
export const MIN_RSA_MODULUS_LENGTH = 2048

export function isSigningAlgorithm(value: unknown): value is SigningAlgorithm {
  return typeof value === 'string' && (SIGNING_ALGORITHMS as readonly string[]).includes(value)
}

/** Describes a key's type for error messages, from its metadata only (never its material). */
function describe(key: KeyObject): string {
  const details = key.asymmetricKeyDetails
  if (key.asymmetricKeyType === 'ec') return `EC ${details?.namedCurve ?? 'unknown curve'}`
  if (key.asymmetricKeyType === 'rsa') return `RSA ${details?.modulusLength ?? '?'}-bit`
  return key.asymmetricKeyType ?? key.type
}

/** The algorithm a key can sign with, or undefined when Tessera does not support the key. */
export function algorithmOf(key: KeyObject): SigningAlgorithm | undefined {
  if (key.type === 'secret') return undefined
  const details = key.asymmetricKeyDetails
  if (key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') return 'ES256'
  if (key.asymmetricKeyType === 'rsa') return 'RS256'
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA'
  return undefined
}

/**
 * Checks that `key` fits `alg` (P-256 for ES256, RSA of 2048+ bits for RS256, Ed25519 for
 * EdDSA) and returns the algorithm. Throws a {@link KeySetError} naming both otherwise.
 */
export function checkKeyAlgorithm(key: KeyObject, alg: SigningAlgorithm | undefined) {
  const actual = algorithmOf(key)
  if (!actual) {
    throw new KeySetError(`unsupported key type ${describe(key)}; expected P-256, RSA or Ed25519`)
  }
  if (alg !== undefined && alg !== actual) {
    throw new KeySetError(`key type ${describe(key)} does not match algorithm ${alg}`)
  }
  const modulusLength = key.asymmetricKeyDetails?.modulusLength ?? 0
  if (actual === 'RS256' && modulusLength < MIN_RSA_MODULUS_LENGTH) {
    throw new KeySetError(
      `RSA key of ${modulusLength} bits refused; at least ${MIN_RSA_MODULUS_LENGTH} required`,
    )
  }
  return actual
}

/** Runs `check`, prefixing the message of a {@link KeySetError} it throws with `where`. */
export function withContext<T>(where: string, check: () => T): T {
  try {
    return check()
  } catch (error) {
    if (error instanceof KeySetError) throw new KeySetError(`${where}: ${error.message}`)
    throw error
  }
}
