import { createHmac, createPublicKey, verify } from 'node:crypto'
import { createTessera, generateKeySet, toJwks } from '@tessera/core'
import Fastify, { type FastifyInstance } from 'fastify'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import { main } from '../main.js'
import type { ScanReport } from '../scan/run-scan.js'

const ISSUER = 'https://auth.test'
const AUDIENCE = 'https://api.test'
const CLAIM_VARIANTS = [
  'expired',
  'not-yet-valid',
  'iat-future',
  'aud-changed',
  'iss-changed',
  'typ-changed',
  'typ-removed',
]

type Check = (token: string) => Promise<boolean>

const servers: FastifyInstance[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

/** A protected `/me` route on loopback that answers 200 when `check` passes, 401 otherwise. */
async function serve(check: Check, jwks: unknown, options: { open?: boolean } = {}) {
  const app = Fastify({ logger: false })
  app.get('/.well-known/jwks.json', async () => jwks)
  app.get('/me', async (request, reply) => {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
    if (options.open || (token && (await check(token).catch(() => false)))) return { ok: true }
    return reply.code(401).send({ error: 'unauthorized' })
  })
  servers.push(app)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return `${address}/me`
}

async function issuer() {
  const keys = await generateKeySet('ES256')
  const tessera = createTessera({ keys, issuer: ISSUER, audience: AUDIENCE })
  const token = await tessera.generateAccessToken('user-1', 'member')
  const jwks = toJwks(keys)
  const active = keys.keys.find((key) => key.state === 'active')!
  return { tessera, token, jwks, publicKey: active.publicKey }
}

/**
 * A deliberately weak verifier: accepts alg `none`, trusts the header `alg` (so HS256 is
 * checked with the public key PEM as the secret), and never looks at `exp`. Every other
 * check is strict, so the scan must report exactly these three weaknesses.
 */
function weakCheck(publicKey: ReturnType<typeof createPublicKey>): Check {
  const pem = publicKey.export({ format: 'pem', type: 'spki' })
  return async (token) => {
    const [h = '', p = '', s = ''] = token.split('.')
    const header = JSON.parse(Buffer.from(h, 'base64url').toString())
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString())
    const signature = Buffer.from(s, 'base64url')
    const input = Buffer.from(`${h}.${p}`)
    let signed = false
    if (header.alg === 'none') signed = true
    else if (header.alg === 'HS256')
      signed = createHmac('sha256', pem).update(input).digest().equals(signature)
    else if (header.alg === 'ES256')
      signed = verify('sha256', input, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)
    const now = Date.now() / 1000
    return (
      signed &&
      header.typ === 'at+jwt' &&
      claims.iss === ISSUER &&
      claims.aud === AUDIENCE &&
      typeof claims.sub === 'string' &&
      (claims.nbf === undefined || claims.nbf <= now + 30) &&
      typeof claims.iat === 'number' &&
      claims.iat <= now + 30
    )
  }
}

async function scan(...args: string[]) {
  let stdout = ''
  let stderr = ''
  const io = {
    stdout: (text: string) => (stdout += text),
    stderr: (text: string) => (stderr += text),
  }
  const code = await main(['node', 'tessera', 'scan', '--rate', '1000', ...args], io)
  return { code, stdout, stderr }
}

async function scanJson(...args: string[]) {
  const run = await scan(...args, '--json')
  if (!run.stdout) throw new Error(run.stderr)
  return { ...run, report: JSON.parse(run.stdout) as ScanReport }
}

const verdicts = (report: ScanReport, verdict: string) =>
  report.results.filter((result) => result.verdict === verdict).map((result) => result.id)

describe('tessera scan', () => {
  it('reports exactly the weaknesses of a weak verifier', async () => {
    const { token, jwks, publicKey } = await issuer()
    const url = await serve(weakCheck(publicKey), jwks)

    const { code, report, stderr } = await scanJson('--url', url, '--token', token)

    expect(code).toBe(1)
    expect(stderr).toBe('error: the endpoint accepted forged tokens\n')
    expect(report.baselines).toEqual({ valid: 200, unauthenticated: 401 })
    expect(verdicts(report, 'accepted')).toEqual(['alg-none', 'hs256-public-pem', 'expired'])
    expect(verdicts(report, 'inconclusive')).toEqual([])
    expect(verdicts(report, 'skipped')).toEqual([])
    // Claim checks are tested through the first accepted forgery, each breaking one rule.
    const viaNone = report.results.filter((result) => result.via === 'alg-none')
    expect(viaNone.map((result) => result.id)).toEqual(CLAIM_VARIANTS)
    expect(report.results.some((result) => result.fetched)).toBe(false)
  })

  it('finds nothing against the Tessera verifier', async () => {
    const { tessera, token, jwks } = await issuer()
    const url = await serve(async (presented) => {
      await tessera.verifyAccessToken(presented)
      return true
    }, jwks)

    const { code, report } = await scanJson('--url', url, '--token', token)

    expect(code).toBe(0)
    expect(verdicts(report, 'accepted')).toEqual([])
    expect(verdicts(report, 'inconclusive')).toEqual([])
    expect(verdicts(report, 'skipped')).toEqual(CLAIM_VARIANTS)
    expect(verdicts(report, 'rejected')).toContain('hs256-public-jwk')
    expect(report.results.some((result) => result.fetched)).toBe(false)
  })

  it('reads the token from stdin with --token -', async () => {
    const { tessera, token, jwks } = await issuer()
    const presented: string[] = []
    const url = await serve(async (candidate) => {
      presented.push(candidate)
      await tessera.verifyAccessToken(candidate)
      return true
    }, jwks)
    let stdout = ''
    const io = {
      stdout: (text: string) => {
        stdout += text
      },
      stderr: () => {},
      readStdin: async () => `${token}\n`,
    }
    const argv = ['node', 'tessera', 'scan', '--rate', '1000', '--url', url, '--token', '-']
    const code = await main([...argv, '--json'], io)

    expect(code).toBe(0)
    expect(presented).toContain(token)
    expect(presented).not.toContain('-')
    expect(stdout).not.toContain(token)
  })

  it('fails with 2 on --token - and an empty stdin', async () => {
    let stderr = ''
    const io = {
      stdout: () => {},
      stderr: (text: string) => {
        stderr += text
      },
      readStdin: async () => ' \n',
    }
    const argv = ['--url', 'http://127.0.0.1:9/me', '--token', '-']
    expect(await main(['node', 'tessera', 'scan', ...argv], io)).toBe(2)
    expect(stderr).toBe('error: --token - reads the token from stdin, but stdin holds none\n')
  })

  it('serves the attacker key at the jku URL and records that it was fetched', async () => {
    const { token, jwks, publicKey } = await issuer()
    const follows: Check = async (presented) => {
      const [h = ''] = presented.split('.')
      const { jku } = JSON.parse(Buffer.from(h, 'base64url').toString())
      const keys = jku
        ? createRemoteJWKSet(new URL(jku))
        : async () => createPublicKey(publicKey.export({ format: 'pem', type: 'spki' }))
      await jwtVerify(presented, keys, { issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt' })
      return true
    }
    const url = await serve(follows, jwks)

    const { code, report } = await scanJson('--url', url, '--token', token)

    expect(code).toBe(1)
    expect(verdicts(report, 'accepted')).toEqual(['jku-header'])
    const fetched = report.results.filter((result) => result.fetched).map((result) => result.id)
    expect(fetched).toEqual(['jku-header'])
  })

  it('prints a table by id and never the valid or a forged token', async () => {
    const { token, jwks, publicKey } = await issuer()
    const url = await serve(weakCheck(publicKey), jwks)

    const { stdout, stderr } = await scan('--url', url, '--token', token)

    expect(stdout).toMatch(/ACCEPTED\s+200\s+alg-none\s/)
    expect(stdout).toMatch(/rejected\s+401\s+alg-none-uppercase\s/)
    expect(stdout).toMatch(/ACCEPTED\s+200\s+expired \(via alg-none\)/)
    expect(stdout).toContain('3 accepted, ')
    const output = stdout + stderr
    expect(output).not.toContain(token.split('.')[2])
    expect(output).not.toMatch(/[\w-]{8,}\.[\w-]{8,}\.[\w-]*/)
  })

  it('prints --url and --jwks without their query, in text and in --json', async () => {
    const { token, jwks, publicKey } = await issuer()
    const url = await serve(weakCheck(publicKey), jwks)
    const secretUrl = `${url}?access_token=url-query-secret#url-fragment-secret`
    const secretJwks = `${new URL(url).origin}/.well-known/jwks.json?key=jwks-query-secret`

    const text = await scan('--url', secretUrl, '--jwks', secretJwks, '--token', token)
    const json = await scanJson('--url', secretUrl, '--jwks', secretJwks, '--token', token)

    expect(json.report.url).toBe(`${url}?…`)
    expect(json.report.jwks).toMatchObject({
      source: `${new URL(secretJwks).origin}/.well-known/jwks.json?…`,
    })
    // The JWKS was still fetched with its query: the HS256 variants were sent.
    expect(verdicts(json.report, 'accepted')).toContain('hs256-public-pem')
    for (const output of [text.stdout, text.stderr, json.stdout, json.stderr]) {
      expect(output).not.toMatch(/url-query-secret|url-fragment-secret|jwks-query-secret/)
    }
    expect(text.stdout).toContain(`${url}?…`)
  })

  it('refuses a --url with credentials without printing them', async () => {
    const { token } = await issuer()
    const withCredentials = 'http://scan-user:scan-password@127.0.0.1:9/me'

    const { code, stdout, stderr } = await scan('--url', withCredentials, '--token', token)

    expect(code).toBe(2)
    expect(stderr).toBe('error: --url with credentials (user:password@) is not supported\n')
    expect(stdout + stderr).not.toMatch(/scan-user|scan-password/)
  })

  it('prints a --jwks URL with credentials without them', async () => {
    const { token, jwks, publicKey } = await issuer()
    const url = await serve(weakCheck(publicKey), jwks)
    const origin = new URL(url).origin
    const secretJwks = origin.replace('://', '://jwks-user:jwks-password@')

    const { report, stdout } = await scanJson(
      '--url',
      url,
      '--jwks',
      `${secretJwks}/j.json`,
      '--token',
      token,
    )

    expect(report.jwks.source).toBe(`${origin}/j.json`)
    expect(stdout).not.toMatch(/jwks-user|jwks-password/)
  })

  it('stops at --max-requests and reports the scan incomplete', async () => {
    const { tessera, token, jwks } = await issuer()
    const url = await serve(async (presented) => {
      await tessera.verifyAccessToken(presented)
      return true
    }, jwks)

    const { code, report, stderr } = await scanJson(
      '--url',
      url,
      '--token',
      token,
      '--max-requests',
      '8',
    )

    expect(code).toBe(2)
    expect(stderr).toBe('error: scan incomplete: request or time budget exhausted\n')
    expect(report.requests).toBe(8)
    expect(report.incomplete).toBe(true)
    // 2 baselines + JWKS + 5 variants.
    expect(report.results.filter((result) => result.status !== null)).toHaveLength(5)
  })

  it.each(['FO O', 'GET\r\nX-Injected: 1', 'G3T', '', 'TRACE'])(
    'exits 2 with a one-line reason for --method %j',
    async (method) => {
      const { code, stdout, stderr } = await scan(
        '--url',
        'http://127.0.0.1:9/me',
        '--token',
        'a.b.c',
        '--method',
        method,
      )

      expect(code).toBe(2)
      expect(stdout).toBe('')
      expect(stderr).toMatch(/^error: option '--method <method>' argument .* is invalid/)
      expect(stderr).not.toContain('unexpected')
      expect(stderr.trimEnd().split('\n')).toHaveLength(1)
    },
  )

  it('sends a lower-case --method upper-cased', async () => {
    const { tessera, token, jwks } = await issuer()
    const url = await serve(async (presented) => {
      await tessera.verifyAccessToken(presented)
      return true
    }, jwks)

    const { report } = await scanJson('--url', url, '--token', token, '--method', 'get')

    expect(report.method).toBe('GET')
    expect(report.baselines).toEqual({ valid: 200, unauthenticated: 401 })
  })

  it('shows no empty default for --header in its help', async () => {
    const { code, stdout } = await scan('--help')

    expect(code).toBe(0)
    expect(stdout).toContain('--header <name:value>')
    expect(stdout).not.toContain('(default: {})')
  })

  it('says that a --max-requests too small for the baselines is too small', async () => {
    const { tessera, token, jwks } = await issuer()
    const url = await serve(async (presented) => {
      await tessera.verifyAccessToken(presented)
      return true
    }, jwks)

    for (const max of ['1', '2']) {
      const { code, stdout, stderr } = await scan(
        '--url',
        url,
        '--token',
        token,
        '--max-requests',
        max,
      )

      expect(code).toBe(2)
      expect(stdout).toBe('')
      expect(stderr).toBe(
        `error: --max-requests ${max} is too small: taking the baselines alone needs 3 requests\n`,
      )
    }
  })

  it('prints the partial report when the budget runs out right after the baselines', async () => {
    const { tessera, token, jwks } = await issuer()
    const url = await serve(async (presented) => {
      await tessera.verifyAccessToken(presented)
      return true
    }, jwks)

    const { code, stdout, stderr } = await scan(
      '--url',
      url,
      '--token',
      token,
      '--max-requests',
      '3',
    )

    expect(code).toBe(2)
    expect(stdout).toContain('baselines: valid token -> 200, no token -> 401')
    expect(stdout).toMatch(/\(3 requests\); INCOMPLETE: budget exhausted\n$/)
    expect(stderr).toBe('error: scan incomplete: request or time budget exhausted\n')
  })

  it('refuses an endpoint that answers the same without a token', async () => {
    const { token, jwks } = await issuer()
    const url = await serve(async () => true, jwks, { open: true })

    const { code, stderr } = await scan('--url', url, '--token', token)

    expect(code).toBe(2)
    expect(stderr).toContain('answers 200 with and without a token')
  })
})
