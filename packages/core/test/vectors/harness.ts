import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { decodeJsonObject, splitCompact } from '../../src/access-token/compact.js'
import { checkSignature, type VerifyingKey } from '../../src/access-token/signature.js'
import { TokenError } from '../../src/errors.js'

/** Reads a vector file under `test/vectors/data/`. */
export function readVectors<T>(path: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`./data/${path}`, import.meta.url)), 'utf8'))
}

export const hex = (value: string) => Buffer.from(value, 'hex')

export function spkiKey(derHex: string): KeyObject {
  return createPublicKey({ key: hex(derHex), format: 'der', type: 'spki' })
}

/** The public half of a JWK, which may hold private members. */
export function publicKeyOfJwk(jwk: JsonWebKey): KeyObject {
  return 'd' in jwk
    ? createPublicKey(createPrivateKey({ key: jwk, format: 'jwk' }))
    : createPublicKey({ key: jwk, format: 'jwk' })
}

/**
 * Runs a message and signature through the verifier's signature step (step 3). Returns
 * whether it accepted; any rejection must be a TokenError.
 */
export function signatureAccepted(key: VerifyingKey, message: Uint8Array, signature: Uint8Array) {
  try {
    checkSignature(key, message, signature)
    return true
  } catch (error) {
    expect(error).toBeInstanceOf(TokenError)
    return false
  }
}

/**
 * Runs a compact JWS through the verifier's own steps that apply to a bare JWS: step 1 (size,
 * canonical compact form, header a JSON object), the header rule that `alg` equals the alg of
 * the key, and step 3. Claims and `typ`/`kid` are not checked: the vectors are not access
 * tokens, and their payloads need not be JSON.
 */
export function compactAccepted(key: VerifyingKey, jws: unknown): boolean {
  try {
    const parts = splitCompact(jws, 8192)
    const header = decodeJsonObject(parts.header, 'header')
    if (header.alg !== key.alg) return false
    checkSignature(
      key,
      Buffer.from(parts.signingInput, 'latin1'),
      Buffer.from(parts.signature, 'base64url'),
    )
    return true
  } catch (error) {
    expect(error).toBeInstanceOf(TokenError)
    return false
  }
}

/** Tally of the cases run, so that each test can assert it ran some. */
export interface Tally {
  valid: number
  invalid: number
  acceptable: number
}
