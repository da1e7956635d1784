import { rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTessera, generateKeySet, toJwks } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { runScan } from './run-scan.js'

const keys = await generateKeySet('ES256')
const tessera = createTessera({ keys, issuer: 'https://auth.test', audience: 'https://api.test' })
const token = await tessera.generateAccessToken('user-1')

/** A fake service: the valid token passes, no token is refused, `answer` decides the rest. */
function service(answer: (presented: string) => Response | Promise<Response>): typeof fetch {
  return (async (input: string | URL, init?: RequestInit) => {
    if (String(input).endsWith('/.well-known/jwks.json')) return Response.json(toJwks(keys))
    const authorization = new Headers(init?.headers).get('authorization')
    if (!authorization) return new Response(null, { status: 401 })
    const presented = authorization.slice('Bearer '.length)
    return presented === token ? new Response('{}', { status: 200 }) : answer(presented)
  }) as typeof fetch
}

const scan = (fetch: typeof globalThis.fetch) =>
  runScan({ url: 'http://127.0.0.1:1/me', token, budget: { fetch, ratePerSecond: 1000 } })

describe('runScan', () => {
  it('calls a timed-out request inconclusive and says so', async () => {
    const report = await scan(
      service(() => {
        throw new DOMException('The operation was aborted due to timeout', 'TimeoutError')
      }),
    )
    const sent = report.results.filter((result) => result.verdict !== 'skipped')

    expect(sent.length).toBeGreaterThan(10)
    for (const result of sent) {
      expect(result.verdict).toBe('inconclusive')
      expect(result.note).toBe('request timed out')
    }
  })

  it('calls a status other than the baselines inconclusive', async () => {
    const report = await scan(service(() => new Response(null, { status: 400 })))
    expect(report.results.find((result) => result.id === 'oversized')?.verdict).toBe('inconclusive')
    expect(report.results.some((result) => result.verdict === 'accepted')).toBe(false)
  })

  it('sends no HS256 variant when no JWKS can be had', async () => {
    const withoutJwks = (async (input: string | URL, init?: RequestInit) =>
      String(input).endsWith('/.well-known/jwks.json')
        ? new Response(null, { status: 404 })
        : service(() => new Response(null, { status: 401 }))(input, init)) as typeof fetch

    const report = await scan(withoutJwks)

    expect(report.jwks).toEqual({
      source: 'http://127.0.0.1:1/.well-known/jwks.json',
      error: 'JWKS not available; HS256 variants not sent',
    })
    expect(report.results.map((result) => result.id)).not.toContain('hs256-public-pem')
  })

  it('fails with the needed request count when the limit runs out during the baselines', async () => {
    const fetch = service(() => new Response(null, { status: 401 }))
    const run = (maxRequests: number, jwks?: string) =>
      runScan({
        url: 'http://127.0.0.1:1/me',
        token,
        ...(jwks ? { jwks } : {}),
        budget: { fetch, ratePerSecond: 1000, maxRequests },
      })

    // The default JWKS is fetched: 2 baselines + 1.
    await expect(run(2)).rejects.toMatchObject({
      name: 'BaselineBudgetError',
      maxRequests: 2,
      neededRequests: 3,
    })
    // A JWKS file costs no request.
    const file = join(tmpdir(), `tessera-run-scan-${process.pid}.json`)
    await writeFile(file, JSON.stringify(toJwks(keys)))
    try {
      await expect(run(1, file)).rejects.toMatchObject({ maxRequests: 1, neededRequests: 2 })
      const report = await run(2, file)
      expect(report.incomplete).toBe(true)
      expect(report.requests).toBe(2)
    } finally {
      await rm(file, { force: true })
    }
  })

  it('names the time limit when it runs out during the baselines', async () => {
    let clock = 0
    const slow = (async (input: string | URL, init?: RequestInit) => {
      clock += 10_000
      return service(() => new Response(null, { status: 401 }))(input, init)
    }) as typeof fetch

    const scanning = runScan({
      url: 'http://127.0.0.1:1/me',
      token,
      budget: { fetch: slow, now: () => clock, totalTimeoutMs: 5000 },
    })

    await expect(scanning).rejects.toMatchObject({
      name: 'ScanSetupError',
      message: 'time limit of 5000 ms reached before the baselines were taken',
    })
  })

  it('never puts a token in the report', async () => {
    const report = await scan(service(() => new Response(null, { status: 401 })))
    expect(JSON.stringify(report)).not.toMatch(/[\w-]{8,}\.[\w-]{8,}\.[\w-]*/)
  })
})
