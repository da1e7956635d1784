import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, email, type RunningDemo, startDemo } from './harness.js'

const PASSWORD = 'correct horse battery'
const LIMITS = { LOGIN_RATE_LIMIT_PER_IP: '3', LOGIN_RATE_LIMIT_PER_ACCOUNT: '100' }

// Login attempts for a new account each time, so only the per-IP budget can run out.
async function attempts(demo: RunningDemo, forwardedFor: (i: number) => string) {
  const client = new Client(demo.url)
  const statuses = []
  for (let i = 0; i < 4; i += 1) {
    const reply = await client.request('POST', '/auth/login', {
      body: { email: email('proxy'), password: PASSWORD },
      headers: { 'x-forwarded-for': forwardedFor(i) },
    })
    statuses.push(reply.status)
  }
  return statuses
}

const rotating = (i: number) => `203.0.113.${i + 1}`

// The test client connects from 127.0.0.1; 10.0.0.1 is a proxy that is not in the path.
describe.each([
  ['unset', {}],
  ['a proxy address that is not the client', { TRUST_PROXY: '10.0.0.1' }],
])('login rate limit per IP with TRUST_PROXY %s', (_name, env) => {
  let demo: RunningDemo

  beforeAll(async () => {
    demo = await startDemo({ ...LIMITS, ...env })
  })
  afterAll(async () => demo?.close())

  it('is not bypassed by a rotating X-Forwarded-For', async () => {
    expect(await attempts(demo, rotating)).toEqual([401, 401, 401, 429])
  })
})

describe('login rate limit per IP behind a trusted proxy', () => {
  let demo: RunningDemo

  beforeAll(async () => {
    demo = await startDemo({ ...LIMITS, TRUST_PROXY: '127.0.0.1' })
  })
  afterAll(async () => demo?.close())

  it('counts per forwarded client address when the peer is the trusted proxy', async () => {
    expect(await attempts(demo, rotating)).toEqual([401, 401, 401, 401])
    expect(await attempts(demo, () => '198.51.100.7')).toEqual([401, 401, 401, 429])
  })

  it('takes the address the proxy appended, not one the client prepended', async () => {
    expect(await attempts(demo, (i) => `192.0.2.${i + 1}, 198.51.100.8`)).toEqual([
      401, 401, 401, 429,
    ])
  })
})
