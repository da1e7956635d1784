import { createRemoteJWKSet, jwtVerify } from 'jose'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Client, email, type RunningDemo, startDemo } from './harness.js'

const PASSWORD = 'correct horse battery'
const NEW_PASSWORD = 'new staple horse battery'

/**
 * The whole flow of issue 6 item 6 over real HTTP, for one backend (`env` picks it):
 * register -> login -> me -> refresh -> reuse -> family revoked -> login -> logout-all ->
 * change password -> admin route, plus jose verifying an access token through the JWKS.
 */
export function flowSuite(env: () => Record<string, string>) {
  let demo: RunningDemo
  const alice = email('alice')
  const admin = email('admin')

  beforeAll(async () => {
    // Strict rotation here: any second presentation of a refresh token is reuse. The flow logs
    // the same account in often, so the login limits (tested on their own) are raised.
    demo = await startDemo({
      ...env(),
      ROTATION_GRACE_SECONDS: '0',
      ADMIN_EMAILS: admin,
      LOGIN_RATE_LIMIT_PER_ACCOUNT: '100',
      LOGIN_RATE_LIMIT_PER_IP: '100',
    })
  })
  afterAll(async () => demo?.close())

  it('runs register, login, me, refresh, reuse detection and family revocation', async () => {
    const tab = new Client(demo.url)
    const registered = await tab.request('POST', '/auth/register', {
      body: { email: alice, password: PASSWORD },
    })
    expect(registered.status).toBe(201)
    expect(registered.body).toMatchObject({ email: alice, role: 'user' })
    expect(registered.body.passwordHash).toBeUndefined()

    const login = await tab.request('POST', '/auth/login', {
      body: { email: alice, password: PASSWORD },
    })
    expect(login.status).toBe(200)
    expect(login.body.tokenType).toBe('Bearer')
    expect(login.body.refreshToken).toBeUndefined()
    const refreshLine = login.setCookies.find((line) => line.startsWith('tessera_refresh='))!
    expect(refreshLine).toMatch(/; HttpOnly/)
    expect(refreshLine).toMatch(/; Secure/)
    expect(refreshLine).toMatch(/; SameSite=Strict/)
    expect(refreshLine).toMatch(/; Path=\/auth(;|$)/)

    const me = await tab.request('GET', '/me', { token: login.body.accessToken })
    expect(me.status).toBe(200)
    expect(me.body.email).toBe(alice)

    const first = tab.cookies.get('tessera_refresh')!
    const rotated = await tab.refresh()
    expect(rotated.status).toBe(200)
    const second = tab.cookies.get('tessera_refresh')!
    expect(second).not.toBe(first)
    expect((await tab.request('GET', '/me', { token: rotated.body.accessToken })).status).toBe(200)

    // The old refresh token again: theft signal, the family is revoked and the cookie cleared.
    tab.cookies.set('tessera_refresh', first)
    const reused = await tab.refresh()
    expect(reused.status).toBe(401)
    expect(reused.body.code).toBe('ERR_REFRESH_TOKEN_REUSED')
    expect(reused.headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect(reused.setCookies.some((line) => /^tessera_refresh=;/.test(line))).toBe(true)
    expect(tab.cookies.has('tessera_refresh')).toBe(false)

    for (const token of [first, second]) {
      tab.cookies.set('tessera_refresh', token)
      const refused = await tab.refresh()
      expect(refused.status).toBe(401)
      expect(['ERR_REFRESH_TOKEN_INVALID', 'ERR_REFRESH_TOKEN_REUSED']).toContain(refused.body.code)
    }
  })

  it('runs login, logout-all and change password, revoking older tokens', async () => {
    const laptop = new Client(demo.url)
    const phone = new Client(demo.url)
    const onLaptop = await laptop.request('POST', '/auth/login', {
      body: { email: alice, password: PASSWORD },
    })
    const onPhone = await phone.request('POST', '/auth/login', {
      body: { email: alice, password: PASSWORD },
    })
    expect([onLaptop.status, onPhone.status]).toEqual([200, 200])

    const loggedOut = await laptop.request('POST', '/auth/logout-all', {
      token: onLaptop.body.accessToken,
    })
    expect(loggedOut.status).toBe(204)
    expect((await laptop.refresh()).status).toBe(401)
    expect((await phone.refresh()).status).toBe(401)

    // Sensitive routes check revocation; /me only checks the signature and expiry.
    const stale = await phone.request('POST', '/auth/password', {
      token: onPhone.body.accessToken,
      body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    })
    expect(stale.status).toBe(401)
    expect(stale.headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect((await phone.request('GET', '/me', { token: onPhone.body.accessToken })).status).toBe(
      200,
    )

    const session = await laptop.request('POST', '/auth/login', {
      body: { email: alice, password: PASSWORD },
    })
    const oldRefresh = laptop.cookies.get('tessera_refresh')!
    const wrong = await laptop.request('POST', '/auth/password', {
      token: session.body.accessToken,
      body: { currentPassword: 'not the password', newPassword: NEW_PASSWORD },
    })
    expect(wrong.status).toBe(403)
    expect(wrong.body.code).toBe('ERR_CURRENT_PASSWORD_INVALID')

    const changed = await laptop.request('POST', '/auth/password', {
      token: session.body.accessToken,
      body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    })
    expect(changed.status).toBe(200)
    expect(laptop.cookies.get('tessera_refresh')).not.toBe(oldRefresh)

    const again = await laptop.request('POST', '/auth/password', {
      token: session.body.accessToken,
      body: { currentPassword: NEW_PASSWORD, newPassword: PASSWORD },
    })
    expect(again.status).toBe(401)
    const thief = new Client(demo.url)
    thief.cookies.set('tessera_refresh', oldRefresh)
    thief.cookies.set('tessera_device', laptop.cookies.get('tessera_device')!)
    expect((await thief.refresh()).status).toBe(401)

    // The fresh session from the password change works; the old password no longer does.
    expect((await laptop.refresh()).status).toBe(200)
    const oldLogin = await new Client(demo.url).request('POST', '/auth/login', {
      body: { email: alice, password: PASSWORD },
    })
    expect(oldLogin.status).toBe(401)
    const newLogin = await new Client(demo.url).request('POST', '/auth/login', {
      body: { email: alice, password: NEW_PASSWORD },
    })
    expect(newLogin.status).toBe(200)
  })

  it('refuses the admin route to a user and allows it to an admin', async () => {
    const user = await new Client(demo.url).request('POST', '/auth/login', {
      body: { email: alice, password: NEW_PASSWORD },
    })
    const refused = await new Client(demo.url).request('GET', '/admin/users', {
      token: user.body.accessToken,
    })
    expect(refused.status).toBe(403)
    expect(refused.headers.get('www-authenticate')).toContain('error="insufficient_scope"')

    const client = new Client(demo.url)
    await client.request('POST', '/auth/register', { body: { email: admin, password: PASSWORD } })
    const login = await client.request('POST', '/auth/login', {
      body: { email: admin, password: PASSWORD },
    })
    expect(login.body.user.role).toBe('admin')
    const allowed = await client.request('GET', '/admin/users', { token: login.body.accessToken })
    expect(allowed.status).toBe(200)
    expect(allowed.body.users.map((u: { email: string }) => u.email)).toEqual(
      expect.arrayContaining([alice, admin]),
    )

    // Logout denylists the access token at once and kills the refresh token.
    const refreshCookie = client.cookies.get('tessera_refresh')!
    const out = await client.request('POST', '/auth/logout', {
      token: login.body.accessToken,
      headers: { 'x-requested-with': 'fetch' },
    })
    expect(out.status).toBe(204)
    const after = await client.request('GET', '/admin/users', { token: login.body.accessToken })
    expect(after.status).toBe(401)
    expect(after.body.code).toBe('ERR_ACCESS_TOKEN_DENIED')
    const stolen = new Client(demo.url)
    stolen.cookies.set('tessera_refresh', refreshCookie)
    stolen.cookies.set('tessera_device', client.cookies.get('tessera_device')!)
    expect((await stolen.refresh()).status).toBe(401)
  })

  it("lets jose's remote JWKS client verify an access token the app issued", async () => {
    const login = await new Client(demo.url).request('POST', '/auth/login', {
      body: { email: alice, password: NEW_PASSWORD },
    })
    const jwksUrl = new URL('/.well-known/jwks.json', demo.url)
    const response = await fetch(jwksUrl)
    expect(response.headers.get('cache-control')).toBe('public, max-age=300')
    const jwks = (await response.json()) as { keys: Record<string, unknown>[] }
    for (const key of jwks.keys) expect(key.d).toBeUndefined()

    const { payload, protectedHeader } = await jwtVerify(
      login.body.accessToken,
      createRemoteJWKSet(jwksUrl),
      { issuer: demo.context.config.issuer, audience: demo.context.config.audience, typ: 'at+jwt' },
    )
    expect(payload.sub).toBe(login.body.user.id)
    expect(protectedHeader.alg).toBe('ES256')
  })
}
