import { type KeyObject, sign, verify } from 'node:crypto'
import { InvalidSignatureError } from '../errors.js'
import type { SigningAlgorithm } from '../types.js'

/** What the signature step needs of a key: its algorithm and public half. */
export interface VerifyingKey {
  readonly alg: SigningAlgorithm
  readonly publicKey: KeyObject
}

// RFC 7518 section 3.4: an ES256 signature is exactly r || s, 32 bytes each (IEEE P1363),
// not DER. RS256 is RSASSA-PKCS1-v1_5 with SHA-256, EdDSA is Ed25519 (RFC 8037): both take
// the key as is.
function digestOf(alg: SigningAlgorithm) {
  return alg === 'EdDSA' ? null : 'sha256'
}

const signatureLengths = new WeakMap<KeyObject, number>()

/** The one valid signature length for `key`: 64 bytes for ES256 and EdDSA, the modulus for RSA. */
function signatureLength(key: VerifyingKey): number {
  if (key.alg !== 'RS256') return 64
  let length = signatureLengths.get(key.publicKey)
  if (length === undefined) {
    length = Math.ceil((key.publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8)
    signatureLengths.set(key.publicKey, length)
  }
  return length
}

/**
 * Step 3 of verification: checks `signature` over `signingInput` with exactly `key`, using
 * the key's own algorithm (never one taken from the token). Throws
 * {@link InvalidSignatureError}; a crypto failure is reported as its `cause`, never rethrown.
 */
export function checkSignature(
  key: VerifyingKey,
  signingInput: Uint8Array,
  signature: Uint8Array,
): void {
  let valid = false
  try {
    // Checked here rather than trusted to the crypto backend: a shorter or longer signature
    // is never valid, whatever the backend would make of it.
    if (signature.byteLength === signatureLength(key)) {
      const options =
        key.alg === 'ES256'
          ? { key: key.publicKey, dsaEncoding: 'ieee-p1363' as const }
          : key.publicKey
      valid = verify(digestOf(key.alg), signingInput, options, signature)
    }
  } catch (cause) {
    throw new InvalidSignatureError('signature verification failed', { cause })
  }
  if (!valid) throw new InvalidSignatureError()
}

/** Signs `signingInput` with `privateKey` for `alg`; the signature in JWS form (raw bytes). */
export function createSignature(
  alg: SigningAlgorithm,
  privateKey: KeyObject,
  signingInput: Uint8Array,
): Buffer {
  const options =
    alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const } : privateKey
  return sign(digestOf(alg), signingInput, options)
}
