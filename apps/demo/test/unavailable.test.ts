import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, email, type RunningDemo, startDemo } from './harness.js'

const PASSWORD = 'correct horse battery'

async function signIn(demo: RunningDemo) {
  const client = new Client(demo.url)
  const address = email('outage')
  await client.request('POST', '/auth/register', { body: { email: address, password: PASSWORD } })
  const login = await client.request('POST', '/auth/login', {
    body: { email: address, password: PASSWORD },
  })
  expect(login.status).toBe(200)
  return { client, address, accessToken: login.body.accessToken as string }
}

describe('an unreachable database', () => {
  let demo: RunningDemo

  beforeAll(async () => {
    demo = await startDemo()
  })
  afterAll(async () => demo?.close())

  it('answers 503 on routes that need it, and readiness reports it', async () => {
    const { client, address, accessToken } = await signIn(demo)
    // Closes the embedded database under the running app.
    await demo.context.close()

    const login = await new Client(demo.url).request('POST', '/auth/login', {
      body: { email: address, password: PASSWORD },
    })
    expect(login.status).toBe(503)
    expect(login.headers.get('retry-after')).toBeTruthy()
    const refresh = await client.refresh()
    expect(refresh.status).toBe(503)
    expect(refresh.body.code).toBe('ERR_STORE_UNAVAILABLE')
    const password = await client.request('POST', '/auth/password', {
      token: accessToken,
      body: { currentPassword: PASSWORD, newPassword: `${PASSWORD}!` },
    })
    expect(password.status).toBe(503)

    const ready = await client.request('GET', '/ready')
    expect(ready.status).toBe(503)
    expect(ready.body.checks.database).toBe('unavailable')
    // Liveness does not depend on the database.
    expect((await client.request('GET', '/health')).status).toBe(200)
  })
})

describe('an unreachable Redis denylist (fail closed)', () => {
  let demo: RunningDemo

  beforeAll(async () => {
    // Nothing listens on port 1: every denylist command fails at once.
    demo = await startDemo({ REDIS_URL: 'redis://127.0.0.1:1' })
  })
  afterAll(async () => demo?.close())

  it('answers 503 on revocation-checked routes and keeps /me working', async () => {
    const { client, accessToken } = await signIn(demo)

    const me = await client.request('GET', '/me', { token: accessToken })
    expect(me.status).toBe(200)

    const password = await client.request('POST', '/auth/password', {
      token: accessToken,
      body: { currentPassword: PASSWORD, newPassword: `${PASSWORD}!` },
    })
    expect(password.status).toBe(503)
    expect(password.body.code).toBe('ERR_REVOCATION_UNAVAILABLE')
    const logoutAll = await client.request('POST', '/auth/logout-all', { token: accessToken })
    expect(logoutAll.status).toBe(503)

    const ready = await client.request('GET', '/ready')
    expect(ready.status).toBe(503)
    expect(ready.body.checks).toEqual({ database: 'ok', denylist: 'unavailable' })
  })
})
