import type { JsonWebKey } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { SigningAlgorithm } from '../../src/types.js'
import {
  compactAccepted,
  publicKeyOfJwk,
  readVectors,
  signatureAccepted,
  type Tally,
} from './harness.js'

interface JwsFile {
  testGroups: {
    comment: string
    private: JsonWebKey & { alg?: string; use?: string; key_ops?: string[] }
    public?: JsonWebKey & { alg?: string; use?: string; key_ops?: string[] }
    tests: { tcId: number; jws: unknown; result: 'valid' | 'invalid' | 'acceptable' }[]
  }[]
}

const OURS: readonly string[] = ['ES256', 'RS256', 'EdDSA']

/**
 * Valid JWS that an access token verifier refuses on purpose, each with the reason. The
 * signature itself must still verify, which the test checks, so only the policy differs.
 */
const POLICY_REJECTS = new Map([
  // RFC 7515 allows an empty payload; an access token's payload is a JSON object, so step 1
  // refuses any empty segment before decoding.
  [259, 'empty payload segment'],
])

/**
 * A group applies when its key is a signing key Tessera could hold: asymmetric, with an
 * `alg` we support. HMAC, PSS, RS384/RS512 and ES512 groups do not. Neither do the groups
 * whose key is marked for encryption (`use: enc`, `key_ops: [encrypt]`) and has no `alg`:
 * Tessera's key set holds no such metadata, so those cases belong to key import, not to the
 * verifier.
 */
function appliesTo(group: JwsFile['testGroups'][number]): SigningAlgorithm | undefined {
  const jwk = group.public ?? group.private
  if (jwk.kty === 'oct' || !jwk.alg || !OURS.includes(jwk.alg)) return undefined
  return jwk.alg as SigningAlgorithm
}

describe('verifier steps 1 to 3 against Wycheproof json_web_signature_test.json', () => {
  it('accepts every valid and rejects every invalid ES256 and RS256 compact JWS', () => {
    const vectors = readVectors<JwsFile>('wycheproof/json_web_signature_test.json')
    const tally: Tally = { valid: 0, invalid: 0, acceptable: 0 }
    const ran = new Set<string>()
    const wrong: number[] = []
    const policyRejected: number[] = []

    for (const group of vectors.testGroups) {
      const alg = appliesTo(group)
      if (!alg) continue
      ran.add(alg)
      const publicKey = publicKeyOfJwk(group.public ?? group.private)
      for (const test of group.tests) {
        tally[test.result]++
        if (test.result === 'acceptable') continue
        if (POLICY_REJECTS.has(test.tcId)) {
          const [header, payload, signature] = String(test.jws).split('.')
          const input = Buffer.from(`${header}.${payload}`)
          expect(
            signatureAccepted({ alg, publicKey }, input, Buffer.from(signature!, 'base64url')),
          ).toBe(true)
          expect(compactAccepted({ alg, publicKey }, test.jws)).toBe(false)
          policyRejected.push(test.tcId)
          continue
        }
        if (compactAccepted({ alg, publicKey }, test.jws) !== (test.result === 'valid')) {
          wrong.push(test.tcId)
        }
      }
    }

    expect(wrong).toEqual([])
    expect(policyRejected).toEqual([...POLICY_REJECTS.keys()])
    expect([...ran].sort()).toEqual(['ES256', 'RS256'])
    expect(tally.valid).toBeGreaterThan(0)
    expect(tally.invalid).toBeGreaterThan(0)
  })
})
