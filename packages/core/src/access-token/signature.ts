import { type KeyObject, sign, verify } from 'node:crypto'
import { InvalidSignatureError } from '../errors.js'
import type { SigningAlgorithm } from '../types.js'

/** What the signature step needs of a key: its algorithm and public half. */
export interface VerifyingKey {
  readonly alg: SigningAlgorithm
  readonly publicKey: KeyObject
}

// RFC 7518 section 3.4: an ES256 signature is exactly r || s, 32 bytes each (IEEE P1363), not
// DER. RS256 is RSASSA-PKCS1-v1_5 with SHA-256; EdDSA is Ed25519 (RFC 8037), which hashes
// internally. Signatures of any other length are refused by OpenSSL itself: the Wycheproof
// vectors in test/vectors pin that, so no length rule of ours hides a backend change.
function digestOf(alg: SigningAlgorithm) {
  return alg === 'EdDSA' ? null : 'sha256'
}

function keyInput(alg: SigningAlgorithm, key: KeyObject) {
  return alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key
}

/**
 * Step 3 of verification: checks `signature` over `signingInput` with exactly `key`, using
 * the key's own algorithm (never one taken from the token). Throws
 * {@link InvalidSignatureError}; a crypto failure is reported as its `cause`, never rethrown.
 * Node's synchronous `crypto.verify` is used rather than jose's `compactVerify`: same
 * OpenSSL primitive, without a second parse of the token or a WebCrypto round trip.
 */
export function checkSignature(
  key: VerifyingKey,
  signingInput: Uint8Array,
  signature: Uint8Array,
): void {
  let valid: boolean
  try {
    valid = verify(digestOf(key.alg), signingInput, keyInput(key.alg, key.publicKey), signature)
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
  return sign(digestOf(alg), signingInput, keyInput(alg, privateKey))
}
