import { join } from 'node:path'
import { createTessera, generateKeySet, loadKeySet } from '@tessera/core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { Client, email, type RunningDemo, startDemo } from './harness.js'

const PASSWORD = 'correct horse battery'
const CSRF = { 'x-requested-with': 'fetch' }

describe('POST /auth/logout', () => {
  let demo: RunningDemo

  beforeAll(async () => {
    demo = await startDemo({
      LOGIN_RATE_LIMIT_PER_IP: '100',
      LOGIN_RATE_LIMIT_PER_ACCOUNT: '100',
      REGISTER_RATE_LIMIT_PER_IP: '100',
    })
  })
  afterAll(async () => demo?.close())

  async function loggedIn() {
    const tab = new Client(demo.url)
    const address = email('logout')
    await tab.request('POST', '/auth/register', { body: { email: address, password: PASSWORD } })
    const login = await tab.request('POST', '/auth/login', {
      body: { email: address, password: PASSWORD },
    })
    expect(login.status).toBe(200)
    return { tab, userId: login.body.user.id as string, accessToken: login.body.accessToken }
  }

  // A copy of the browser's cookies taken before logout, as a thief would hold them.
  function copyOf(tab: Client) {
    const copy = new Client(demo.url)
    for (const [name, value] of tab.cookies) copy.cookies.set(name, value)
    return copy
  }

  // Same key set, issuer and audience as the demo, with a clock an hour in the past: the token
  // is genuine, only expired, like the one an SPA holds after 15 idle minutes.
  async function expiredToken(userId: string) {
    const { config } = demo.context
    const past = createTessera({
      keys: await loadKeySet(join(demo.dataDir, 'keys.json')),
      issuer: config.issuer,
      audience: config.audience,
      clock: () => new Date(Date.now() - 3600_000),
    })
    return past.generateAccessToken(userId)
  }

  async function forgedToken(userId: string) {
    const { config } = demo.context
    const other = createTessera({
      keys: await generateKeySet('ES256'),
      issuer: config.issuer,
      audience: config.audience,
    })
    return other.generateAccessToken(userId)
  }

  it.each([
    ['an expired', expiredToken],
    ['a forged', forgedToken],
    ['a garbage', async () => 'garbage'],
  ])('revokes the refresh family and clears the cookies with %s bearer token', async (_k, make) => {
    const { tab, userId } = await loggedIn()
    const thief = copyOf(tab)
    const stale = await make(userId)
    const reply = await tab.request('POST', '/auth/logout', { token: stale, headers: CSRF })

    expect(reply.status).toBe(204)
    expect(reply.setCookies.some((line) => /^tessera_refresh=;/.test(line))).toBe(true)
    expect(reply.setCookies.some((line) => /^tessera_device=;/.test(line))).toBe(true)
    expect(tab.cookies.has('tessera_refresh')).toBe(false)
    const replay = await thief.refresh()
    expect(replay.status).toBe(401)
  })

  it('revokes the refresh family without any bearer token', async () => {
    const { tab } = await loggedIn()
    const thief = copyOf(tab)
    expect((await tab.request('POST', '/auth/logout', { headers: CSRF })).status).toBe(204)
    expect((await thief.refresh()).status).toBe(401)
  })

  it('denylists a valid bearer token even without a refresh cookie', async () => {
    const { accessToken: bystander } = await loggedIn()
    const { tab } = await loggedIn()
    // An access token from a rotation, sent by a client holding no cookie: only the bearer
    // path of logout can deny it.
    const { accessToken } = (await tab.refresh()).body
    const bare = new Client(demo.url)
    const reply = await bare.request('POST', '/auth/logout', { token: accessToken, headers: CSRF })
    expect(reply.status).toBe(204)

    const denied = await bare.request('POST', '/auth/logout-all', { token: accessToken })
    expect(denied.status).toBe(401)
    expect(denied.body.code).toBe('ERR_ACCESS_TOKEN_DENIED')
    // The refresh family of that session was not in the request, so it lives on.
    expect((await tab.refresh()).status).toBe(200)
    // Nobody else's token is touched: the revocation check passes, the role check refuses.
    expect((await bare.request('GET', '/admin/users', { token: bystander })).status).toBe(403)
  })

  it('answers 204 with nothing to log out, and still 403 without the CSRF proof', async () => {
    const bare = new Client(demo.url)
    expect((await bare.request('POST', '/auth/logout', { headers: CSRF })).status).toBe(204)

    const { tab } = await loggedIn()
    const thief = copyOf(tab)
    const refused = await tab.request('POST', '/auth/logout', {})
    expect(refused.status).toBe(403)
    expect(refused.body.code).toBe('ERR_CSRF_CHECK_FAILED')
    expect((await thief.refresh()).status).toBe(200)
  })

  it('leaves a session alive when its refresh token id comes with a wrong secret', async () => {
    const { tab } = await loggedIn()
    const [id, secret = ''] = tab.cookies.get('tessera_refresh')!.split('.')
    const forger = new Client(demo.url)
    forger.cookies.set('tessera_refresh', `${id}.${'A'.repeat(secret.length)}`)
    const reply = await forger.request('POST', '/auth/logout', { headers: CSRF })

    expect(reply.status).toBe(204)
    expect((await tab.refresh()).status).toBe(200)
  })

  it('leaves a session alive when the cookie carries its bare id without a secret', async () => {
    const { tab } = await loggedIn()
    const [id] = tab.cookies.get('tessera_refresh')!.split('.')
    const forger = new Client(demo.url)
    forger.cookies.set('tessera_refresh', id!)
    const reply = await forger.request('POST', '/auth/logout', { headers: CSRF })

    expect(reply.status).toBe(204)
    expect((await tab.refresh()).status).toBe(200)
  })

  it('hands the whole cookie, secret included, to revokeRefreshToken', async () => {
    const { tab } = await loggedIn()
    const cookie = tab.cookies.get('tessera_refresh')!
    const revoke = vi.spyOn(demo.context.tessera, 'revokeRefreshToken')
    try {
      expect((await tab.request('POST', '/auth/logout', { headers: CSRF })).status).toBe(204)
      // Compared without printing: the cookie is a secret.
      expect(revoke.mock.calls.length).toBe(1)
      expect(revoke.mock.calls[0]?.[0] === cookie).toBe(true)
    } finally {
      revoke.mockRestore()
    }
  })
})
