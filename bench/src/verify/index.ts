/**
 * Sign and verify, one operation at a time, for ES256, RS256 and EdDSA: raw node:crypto (the
 * floor), jose, jsonwebtoken, fast-jwt (cache off and on) and Tessera (cold and hot).
 */
import { createTessera, generateKey } from '@tessera/core'
import { measure } from 'mitata'
import { ALGS, MICRO_CPU_NS, MICRO_ROUNDS as ROUNDS } from '../env.js'
import {
  fastJwtSigner,
  fastJwtVerifier,
  joseSigner,
  joseVerifier,
  jsonwebtokenSigner,
  jsonwebtokenVerifier,
} from './peers.js'
import { type Alg, claimsFor, type Policy, rawSigner, rawVerifier } from './raw.js'

export interface MicroResult {
  alg: Alg
  op: 'verify' | 'sign'
  name: string
  /** Operations per second (1e9 / mean ns), or null when the library lacks the algorithm. */
  opsPerSecond: number | null
  p99Micros: number | null
}

const ISSUER = 'https://auth.bench.example'
const AUDIENCE = 'https://api.bench.example'
/** Unique tokens for the cold runs: more than a cache would hold, cycled. */
const POOL = 2000

/**
 * Measures every candidate in ROUNDS short rounds, interleaved (a, b, c, a, b, c, ...), and
 * keeps each one's median round: background load that comes and goes then hits every
 * candidate alike instead of whichever ran at the wrong moment.
 */
async function measureInterleaved(candidates: [string, (() => unknown) | null][]) {
  const rounds: Map<string, { ops: number; p99: number }[]> = new Map()
  for (const [name, fn] of candidates) {
    rounds.set(name, [])
    // One warm-up pass outside the measurement.
    if (fn) for (let i = 0; i < 50; i++) await fn()
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of candidates) {
      if (!fn) continue
      const stats = await measure(fn, { min_cpu_time: MICRO_CPU_NS / ROUNDS })
      rounds.get(name)?.push({ ops: 1e9 / stats.avg, p99: stats.p99 / 1000 })
    }
  }
  return candidates.map(([name]) => {
    const list = (rounds.get(name) ?? []).sort((a, b) => a.ops - b.ops)
    const median = list[Math.floor(list.length / 2)]
    return {
      name,
      opsPerSecond: median ? median.ops : null,
      p99Micros: median ? median.p99 : null,
    }
  })
}

export async function runVerifyBench(log: (line: string) => void): Promise<MicroResult[]> {
  const results: MicroResult[] = []
  for (const alg of ALGS) {
    const key = await generateKey(alg)
    if (!key.privateKey) throw new Error('generated key has no private half')
    const policy: Policy = {
      alg,
      kid: key.kid,
      issuer: ISSUER,
      audience: AUDIENCE,
      toleranceSeconds: 30,
    }
    const options = { keys: { keys: [key] }, issuer: ISSUER, audience: AUDIENCE }
    const cold = createTessera(options)
    const hot = createTessera({ ...options, verifiedTokenCache: { maxEntries: 10_000 } })

    const token = await cold.generateAccessToken('user-1', 'user')
    const pool = await Promise.all(
      Array.from({ length: POOL }, (_, i) => cold.generateAccessToken(`user-${i}`, 'user')),
    )
    let next = 0
    const nextToken = () => pool[next++ % POOL] as string

    const raw = rawVerifier(policy, key.publicKey)
    const jose = joseVerifier(policy, key.publicKey)
    const jwt = jsonwebtokenVerifier(policy, key.publicKey)
    const fast = fastJwtVerifier(policy, key.publicKey, false)
    const fastCached = fastJwtVerifier(policy, key.publicKey, true)

    // Every verifier must accept the token before it is timed, or the numbers mean nothing.
    raw(token)
    await jose(token)
    jwt?.(token)
    fast(token)
    fastCached(token)
    await cold.verifyAccessToken(token)

    const verifiers: [string, (() => unknown) | null][] = [
      ['node:crypto (floor)', () => raw(token)],
      ['jose jwtVerify', () => jose(token)],
      ['jsonwebtoken', jwt ? () => jwt(token) : null],
      ['fast-jwt', () => fast(token)],
      ['fast-jwt, cache on', () => fastCached(token)],
      ['Tessera cold (unique tokens)', () => cold.verifyAccessToken(nextToken())],
      ['Tessera hot (cache on)', () => hot.verifyAccessToken(token)],
    ]
    for (const measured of await measureInterleaved(verifiers)) {
      results.push({ alg, op: 'verify', ...measured })
      log(`verify ${alg} ${measured.name}: ${format(measured.opsPerSecond)} ops/s`)
    }

    const now = () => Math.floor(Date.now() / 1000)
    const rawSign = rawSigner(policy, key.privateKey)
    const joseSign = joseSigner(policy, key.privateKey)
    const jwtSign = jsonwebtokenSigner(policy, key.privateKey)
    const fastSign = fastJwtSigner(policy, key.privateKey)
    // Every signer must produce a token the floor accepts.
    raw(rawSign(claimsFor(policy, 'user-1', now())))
    raw(await joseSign(claimsFor(policy, 'user-1', now())))
    if (jwtSign) raw(jwtSign(claimsFor(policy, 'user-1', now())))
    raw(fastSign(claimsFor(policy, 'user-1', now())))

    const signers: [string, (() => unknown) | null][] = [
      ['node:crypto (floor)', () => rawSign(claimsFor(policy, 'user-1', now()))],
      ['jose SignJWT', () => joseSign(claimsFor(policy, 'user-1', now()))],
      ['jsonwebtoken', jwtSign ? () => jwtSign(claimsFor(policy, 'user-1', now())) : null],
      ['fast-jwt', () => fastSign(claimsFor(policy, 'user-1', now()))],
      ['Tessera generateAccessToken', () => cold.generateAccessToken('user-1', 'user')],
    ]
    for (const measured of await measureInterleaved(signers)) {
      results.push({ alg, op: 'sign', ...measured })
      log(`sign ${alg} ${measured.name}: ${format(measured.opsPerSecond)} ops/s`)
    }
  }
  return results
}

export function format(ops: number | null) {
  return ops === null ? 'n/a' : Math.round(ops).toLocaleString('en-US')
}
