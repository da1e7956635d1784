import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../src/passwords.js'
import { Client, email, type RunningDemo, startDemo } from './harness.js'

const PASSWORD = 'correct horse battery'

describe('request validation, token transport and headers', () => {
  let demo: RunningDemo
  let client: Client

  beforeAll(async () => {
    demo = await startDemo()
    client = new Client(demo.url)
  })
  afterAll(async () => demo?.close())

  it.each([
    ['a missing field', { email: 'a@example.com' }, /password/],
    ['an invalid email', { email: 'not-an-email', password: PASSWORD }, /email/],
    ['a short password', { email: 'a@example.com', password: 'short' }, /password/],
    ['a number as password', { email: 'a@example.com', password: 1234567890123 }, /password/],
    ['an unknown field', { email: 'a@example.com', password: PASSWORD, role: 'admin' }, /prop/],
    ['an array body', [], /object/],
  ])('answers 400 naming the problem for %s', async (_case, body, message) => {
    for (const path of ['/auth/register', '/auth/login']) {
      const reply = await client.request('POST', path, { body })
      expect(reply.status).toBe(400)
      expect(reply.body.code).toBe('ERR_VALIDATION')
      expect(reply.body.message).toMatch(message)
    }
  })

  it('answers 400, not 500, for a body that is not JSON', async () => {
    const reply = await client.request('POST', '/auth/login', {
      raw: { body: '{"email": ', type: 'application/json' },
    })
    expect(reply.status).toBe(400)
  })

  it('answers a malformed login body with a fixed message that quotes none of it', async () => {
    const secret = 'hunter2-horse-battery'
    const reply = await client.request('POST', '/auth/login', {
      raw: { body: `{"email": "a@example.com", "password": ${secret}}`, type: 'application/json' },
    })
    expect(reply.status).toBe(400)
    expect(reply.body).toMatchObject({ message: 'request body is not valid' })
    expect(JSON.stringify(reply.body)).not.toContain(secret.slice(0, 6))
  })

  it('answers 415 for a body of another media type', async () => {
    const reply = await client.request('POST', '/auth/login', {
      raw: { body: 'email=a', type: 'application/x-www-form-urlencoded' },
    })
    expect(reply.status).toBe(415)
  })

  it('answers 409 for an email registered already, in any letter case', async () => {
    const address = email('dup')
    const first = await client.request('POST', '/auth/register', {
      body: { email: address, password: PASSWORD },
    })
    expect(first.status).toBe(201)
    const second = await client.request('POST', '/auth/register', {
      body: { email: address.toUpperCase(), password: PASSWORD },
    })
    expect(second.status).toBe(409)
    expect(second.body.code).toBe('ERR_EMAIL_TAKEN')
  })

  it('answers 401 with the same message for an unknown email and a wrong password', async () => {
    const address = email('known')
    await client.request('POST', '/auth/register', { body: { email: address, password: PASSWORD } })
    const unknown = await client.request('POST', '/auth/login', {
      body: { email: email('unknown'), password: PASSWORD },
    })
    const wrong = await client.request('POST', '/auth/login', {
      body: { email: address, password: `${PASSWORD}!` },
    })
    expect(unknown.status).toBe(401)
    expect(wrong.status).toBe(401)
    expect(unknown.body).toEqual(wrong.body)
    expect(unknown.setCookies).toEqual([])
  })

  it('answers 401 with WWW-Authenticate and the RFC 6750 code for a missing or bad token', async () => {
    const missing = await client.request('GET', '/me')
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="tessera"')

    const bad = await client.request('GET', '/me', { token: 'eyJhbGciOiJub25lIn0.e30.' })
    expect(bad.status).toBe(401)
    expect(bad.headers.get('www-authenticate')).toBe(
      'Bearer realm="tessera", error="invalid_token"',
    )
    expect(bad.body.code).toMatch(/^ERR_/)
  })

  it('does not accept the access token from a cookie or the query string', async () => {
    const address = email('transport')
    const tab = new Client(demo.url)
    await tab.request('POST', '/auth/register', { body: { email: address, password: PASSWORD } })
    const login = await tab.request('POST', '/auth/login', {
      body: { email: address, password: PASSWORD },
    })
    const viaQuery = await tab.request('GET', `/me?access_token=${login.body.accessToken}`)
    expect(viaQuery.status).toBe(401)
    const viaCookie = await tab.request('GET', '/me', {
      headers: { cookie: `access_token=${login.body.accessToken}` },
    })
    expect(viaCookie.status).toBe(401)
  })

  it('requires X-Requested-With or an allowed Origin on refresh', async () => {
    const address = email('csrf')
    const tab = new Client(demo.url)
    await tab.request('POST', '/auth/register', { body: { email: address, password: PASSWORD } })
    await tab.request('POST', '/auth/login', { body: { email: address, password: PASSWORD } })

    const bare = await tab.refresh({})
    expect(bare.status).toBe(403)
    expect(bare.body.code).toBe('ERR_CSRF_CHECK_FAILED')
    const foreign = await tab.refresh({
      origin: 'https://evil.example',
      'x-requested-with': 'fetch',
    })
    expect(foreign.status).toBe(403)
    const logout = await tab.request('POST', '/auth/logout', {})
    expect(logout.status).toBe(403)

    const sameOrigin = await tab.refresh({ origin: demo.context.config.allowedOrigins[0]! })
    expect(sameOrigin.status).toBe(200)
    expect((await tab.refresh()).status).toBe(200)
  })

  it('sends security headers and serves the OpenAPI description', async () => {
    const reply = await client.request('GET', '/docs/json')
    expect(reply.status).toBe(200)
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff')
    expect(reply.headers.get('strict-transport-security')).toMatch(/max-age=/)
    expect(reply.body.openapi).toMatch(/^3\./)
    for (const path of [
      '/auth/register',
      '/auth/login',
      '/auth/refresh',
      '/auth/logout',
      '/auth/logout-all',
      '/auth/password',
      '/me',
      '/admin/users',
      '/.well-known/jwks.json',
      '/health',
      '/ready',
    ]) {
      expect(Object.keys(reply.body.paths)).toContain(path)
    }
  })

  it('answers health and readiness', async () => {
    expect((await client.request('GET', '/health')).body).toEqual({ status: 'ok' })
    const ready = await client.request('GET', '/ready')
    expect(ready.status).toBe(200)
    expect(ready.body.checks).toEqual({ database: 'ok', denylist: 'ok' })
  })
})

describe('two tabs refreshing at once', () => {
  let demo: RunningDemo

  beforeAll(async () => {
    demo = await startDemo({ ROTATION_GRACE_SECONDS: '5' })
  })
  afterAll(async () => demo?.close())

  it('gives both tabs the same new refresh cookie inside the grace period', async () => {
    const address = email('tabs')
    const browser = new Client(demo.url)
    await browser.request('POST', '/auth/register', {
      body: { email: address, password: PASSWORD },
    })
    await browser.request('POST', '/auth/login', { body: { email: address, password: PASSWORD } })
    const original = browser.cookies.get('tessera_refresh')!

    // Two tabs share the cookie jar of one browser: both send the same cookie.
    const tabA = new Client(demo.url)
    const tabB = new Client(demo.url)
    for (const tab of [tabA, tabB]) {
      for (const [name, value] of browser.cookies) tab.cookies.set(name, value)
    }
    const [a, b] = await Promise.all([tabA.refresh(), tabB.refresh()])
    expect([a.status, b.status]).toEqual([200, 200])
    const newA = tabA.cookies.get('tessera_refresh')
    expect(newA).toBeDefined()
    expect(newA).not.toBe(original)
    expect(tabB.cookies.get('tessera_refresh')).toBe(newA)

    // The shared new cookie keeps working: the family was not revoked.
    expect((await tabA.refresh()).status).toBe(200)
  })
})

describe('rate limits', () => {
  let demo: RunningDemo

  beforeAll(async () => {
    demo = await startDemo({
      LOGIN_RATE_LIMIT_PER_ACCOUNT: '3',
      LOGIN_RATE_LIMIT_PER_IP: '6',
      REFRESH_RATE_LIMIT_PER_IP: '2',
    })
  })
  afterAll(async () => demo?.close())

  it('limits login attempts per account, then per IP', async () => {
    const client = new Client(demo.url)
    const target = email('target')
    const attempt = (address: string) =>
      client.request('POST', '/auth/login', { body: { email: address, password: PASSWORD } })

    const perAccount = []
    for (let i = 0; i < 4; i += 1) perAccount.push((await attempt(target)).status)
    expect(perAccount).toEqual([401, 401, 401, 429])
    // The account limit applies whatever the letter case of the email.
    expect((await attempt(target.toUpperCase())).status).toBe(429)

    // Other accounts still get answers until the IP's budget (6) is spent.
    const statuses = []
    for (let i = 0; i < 2; i += 1) statuses.push((await attempt(email('other'))).status)
    expect(statuses).toEqual([401, 429])
  })

  it('limits refresh per IP', async () => {
    const client = new Client(demo.url)
    const statuses = []
    for (let i = 0; i < 3; i += 1) statuses.push((await client.refresh()).status)
    expect(statuses).toEqual([401, 401, 429])
  })
})

describe('rate limits on registration and password change', () => {
  let demo: RunningDemo

  beforeAll(async () => {
    demo = await startDemo({
      REGISTER_RATE_LIMIT_PER_IP: '2',
      PASSWORD_RATE_LIMIT_PER_USER: '2',
      PASSWORD_RATE_LIMIT_PER_IP: '4',
    })
  })
  afterAll(async () => demo?.close())

  it('limits registrations per IP', async () => {
    const client = new Client(demo.url)
    const statuses = []
    for (let i = 0; i < 3; i += 1) {
      const reply = await client.request('POST', '/auth/register', {
        body: { email: email('spam'), password: PASSWORD },
      })
      statuses.push(reply.status)
      if (reply.status === 429) {
        expect(reply.body.code).toBe('ERR_RATE_LIMITED')
        expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0)
      }
    }
    expect(statuses).toEqual([201, 201, 429])
  })

  it('limits guesses of the current password per user, then per IP', async () => {
    // Accounts made directly: the registration budget of this IP is spent above.
    const sessions = []
    for (const name of ['guess-a', 'guess-b']) {
      const address = email(name)
      await demo.context.users.create({
        email: address,
        passwordHash: await hashPassword(PASSWORD),
        role: 'user',
      })
      const login = await new Client(demo.url).request('POST', '/auth/login', {
        body: { email: address, password: PASSWORD },
      })
      sessions.push(login.body.accessToken as string)
    }
    const [a, b] = sessions
    const guess = async (token: string | undefined) =>
      (
        await new Client(demo.url).request('POST', '/auth/password', {
          token,
          body: { currentPassword: 'a wrong guess', newPassword: 'whatever new password' },
        })
      ).status

    const perUser = []
    for (let i = 0; i < 3; i += 1) perUser.push(await guess(a))
    expect(perUser).toEqual([403, 403, 429])
    // The other user has guesses left, until the IP's budget (4) is spent.
    expect([await guess(b), await guess(b)]).toEqual([403, 429])
  })
})
