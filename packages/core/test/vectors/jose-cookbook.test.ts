import { createPrivateKey, type JsonWebKey } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createSignature } from '../../src/access-token/signature.js'
import type { SigningAlgorithm } from '../../src/types.js'
import { compactAccepted, publicKeyOfJwk, readVectors } from './harness.js'

interface CookbookExample {
  title: string
  reproducible?: boolean
  input: { payload: string; key: JsonWebKey; alg: string }
  signing: { 'sig-input': string; sig: string }
  output: { compact?: string }
}

// RFC 7520 section 4.1 (RS256) and RFC 8037 appendix A.4/A.5 (EdDSA); the other cookbook
// signatures use algorithms Tessera does not verify (PS384, ES512, HS256).
const EXAMPLES = [
  'jose-cookbook/jws/4_1.rsa_v15_signature.json',
  'jose-cookbook/curve25519/jws.json',
]

describe('verifier steps 1 to 3 against the JOSE cookbook', () => {
  it.each(EXAMPLES)('accepts the compact example of %s', (path) => {
    const example = readVectors<CookbookExample>(path)
    const alg = example.input.alg as SigningAlgorithm
    const publicKey = publicKeyOfJwk(example.input.key)

    expect(example.output.compact).toBeTypeOf('string')
    expect(compactAccepted({ alg, publicKey }, example.output.compact)).toBe(true)
    expect(compactAccepted({ alg, publicKey }, `${example.output.compact}A`)).toBe(false)
  })

  it.each(EXAMPLES)('reproduces the deterministic signature of %s when signing', (path) => {
    const example = readVectors<CookbookExample>(path)
    expect(example.reproducible).toBe(true)
    const privateKey = createPrivateKey({ key: example.input.key, format: 'jwk' })
    const signature = createSignature(
      example.input.alg as SigningAlgorithm,
      privateKey,
      Buffer.from(example.signing['sig-input'], 'ascii'),
    )
    expect(signature.toString('base64url')).toBe(example.signing.sig)
  })
})
