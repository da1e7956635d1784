import { describe, expect, it } from 'vitest'
import { BudgetExhaustedError, createRequestBudget } from './request-budget.js'

function fakeClock() {
  let now = 1_000_000
  const waits: number[] = []
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms
    },
    waits,
    sleep: async (ms: number) => {
      waits.push(ms)
      now += ms
    },
  }
}

const okFetch = (async () => new Response('hello', { status: 200 })) as typeof fetch
const request = { method: 'GET', headers: {} }

describe('createRequestBudget', () => {
  it('refuses the request after maxRequests', async () => {
    const clock = fakeClock()
    const budget = createRequestBudget({ maxRequests: 2, fetch: okFetch, ...clock })

    expect(await budget.send('http://127.0.0.1/', request)).toEqual({ status: 200, bodyBytes: 5 })
    await budget.send('http://127.0.0.1/', request)
    const third = budget.send('http://127.0.0.1/', request)

    await expect(third).rejects.toBeInstanceOf(BudgetExhaustedError)
    await expect(third).rejects.toThrow('request limit of 2 reached')
    expect(budget.used).toBe(2)
  })

  it('spaces requests to ratePerSecond', async () => {
    const clock = fakeClock()
    const budget = createRequestBudget({ ratePerSecond: 4, fetch: okFetch, ...clock })

    for (let index = 0; index < 3; index++) await budget.send('http://127.0.0.1/', request)

    expect(clock.waits).toEqual([250, 250])
  })

  it('does not wait when requests are already slower than the rate', async () => {
    const clock = fakeClock()
    const slowFetch = (async () => {
      clock.advance(1000)
      return new Response(null, { status: 204 })
    }) as typeof fetch
    const budget = createRequestBudget({ ratePerSecond: 2, fetch: slowFetch, ...clock })

    for (let index = 0; index < 3; index++) await budget.send('http://127.0.0.1/', request)

    expect(clock.waits).toEqual([])
  })

  it('refuses requests once the total time has passed', async () => {
    const clock = fakeClock()
    const budget = createRequestBudget({ totalTimeoutMs: 10_000, fetch: okFetch, ...clock })

    await budget.send('http://127.0.0.1/', request)
    clock.advance(10_000)

    await expect(budget.send('http://127.0.0.1/', request)).rejects.toThrow(
      'time limit of 10000 ms reached',
    )
  })

  it('gives each request an abort signal and never follows redirects', async () => {
    let seen: RequestInit | undefined
    const spy = (async (_url: string, init: RequestInit) => {
      seen = init
      return new Response(null, { status: 302, headers: { location: 'http://elsewhere/' } })
    }) as typeof fetch
    const budget = createRequestBudget({ fetch: spy })

    expect((await budget.send('http://127.0.0.1/', request)).status).toBe(302)
    expect(seen?.redirect).toBe('manual')
    expect(seen?.signal).toBeInstanceOf(AbortSignal)
  })
})
