import type { JsonWebKey } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { SigningAlgorithm } from '../../src/types.js'
import { hex, readVectors, signatureAccepted, spkiKey, type Tally } from './harness.js'

interface PrimitiveTest {
  tcId: number
  msg: string
  sig: string
  result: 'valid' | 'invalid' | 'acceptable'
}

interface PrimitiveFile {
  testGroups: {
    publicKeyDer?: string
    keyDer?: string
    jwk?: JsonWebKey
    sha?: string
    tests: PrimitiveTest[]
  }[]
}

/**
 * Runs every case of a Wycheproof signature-primitive file through the verifier's signature
 * step: valid accepted, invalid rejected. `acceptable` cases are counted and their outcome
 * left free, as Wycheproof intends.
 */
function runPrimitiveFile(
  file: string,
  alg: SigningAlgorithm,
  applies: (group: PrimitiveFile['testGroups'][number]) => boolean = () => true,
) {
  const vectors = readVectors<PrimitiveFile>(`wycheproof/${file}`)
  const tally: Tally = { valid: 0, invalid: 0, acceptable: 0 }
  const wrong: number[] = []
  for (const group of vectors.testGroups) {
    if (!applies(group)) continue
    const publicKey = spkiKey((group.publicKeyDer ?? group.keyDer)!)
    for (const test of group.tests) {
      tally[test.result]++
      if (test.result === 'acceptable') continue
      const accepted = signatureAccepted({ alg, publicKey }, hex(test.msg), hex(test.sig))
      if (accepted !== (test.result === 'valid')) wrong.push(test.tcId)
    }
  }
  return { tally, wrong }
}

describe('checkSignature against Wycheproof primitive vectors', () => {
  it('accepts every valid and rejects every invalid ECDSA P-256 SHA-256 (ES256) case', () => {
    const { tally, wrong } = runPrimitiveFile('ecdsa_secp256r1_sha256_p1363_test.json', 'ES256')
    expect(wrong).toEqual([])
    expect(tally.valid).toBeGreaterThan(0)
    expect(tally.invalid).toBeGreaterThan(0)
  })

  it('agrees with the legacy WebCrypto ECDSA file on its P-256 SHA-256 (ES256) groups', () => {
    const { tally, wrong } = runPrimitiveFile(
      'ecdsa_webcrypto_test.json',
      'ES256',
      (group) => group.jwk?.crv === 'P-256' && group.sha === 'SHA-256',
    )
    expect(wrong).toEqual([])
    expect(tally.valid).toBeGreaterThan(0)
    expect(tally.invalid).toBeGreaterThan(0)
  })

  it('accepts every valid and rejects every invalid RSASSA-PKCS1-v1_5 SHA-256 (RS256) case', () => {
    const { tally, wrong } = runPrimitiveFile('rsa_signature_2048_sha256_test.json', 'RS256')
    expect(wrong).toEqual([])
    expect(tally.valid).toBeGreaterThan(0)
    expect(tally.invalid).toBeGreaterThan(0)
  })

  it('accepts every valid and rejects every invalid Ed25519 (EdDSA) case', () => {
    const { tally, wrong } = runPrimitiveFile('ed25519_test.json', 'EdDSA')
    expect(wrong).toEqual([])
    expect(tally.valid).toBeGreaterThan(0)
    expect(tally.invalid).toBeGreaterThan(0)
  })
})
