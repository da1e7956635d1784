import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, email, type RunningDemo, startDemo } from './harness.js'

describe('log redaction over a full flow', () => {
  let demo: RunningDemo
  const secrets = new Set<string>()

  // Every secret is remembered whole and in its parts (JWT segments, refresh id and secret),
  // so that a log line holding only a fragment is caught too.
  function remember(value: string | undefined) {
    if (!value) return
    secrets.add(value)
    for (const part of value.split('.')) if (part.length >= 16) secrets.add(part)
  }

  beforeAll(async () => {
    const admin = email('admin')
    demo = await startDemo({ LOG_LEVEL: 'trace', ADMIN_EMAILS: admin })

    const password = 'log-test password one'
    const newPassword = 'log-test password two'
    const address = email('logs')
    remember(password)
    remember(newPassword)

    const tab = new Client(demo.url)
    const capture = () => {
      for (const value of tab.cookies.values()) remember(value)
    }
    await tab.request('POST', '/auth/register', { body: { email: address, password } })
    await tab.request('POST', '/auth/register', { body: { email: address, password } })
    await tab.request('POST', '/auth/register', { body: { email: 'bad', password } })
    await tab.request('POST', '/auth/login', { body: { email: address, password: newPassword } })
    const login = await tab.request('POST', '/auth/login', { body: { email: address, password } })
    remember(login.body.accessToken)
    capture()
    const first = tab.cookies.get('tessera_refresh')!

    await tab.request('GET', '/me', { token: login.body.accessToken })
    await tab.request('GET', '/admin/users', { token: login.body.accessToken })
    const refreshed = await tab.refresh()
    remember(refreshed.body.accessToken)
    capture()
    tab.cookies.set('tessera_refresh', first)
    await tab.refresh()

    const again = await tab.request('POST', '/auth/login', { body: { email: address, password } })
    remember(again.body.accessToken)
    capture()
    const changed = await tab.request('POST', '/auth/password', {
      token: again.body.accessToken,
      body: { currentPassword: password, newPassword },
    })
    remember(changed.body.accessToken)
    capture()
    await tab.request('GET', '/me', { token: 'not.a.token', headers: {} })
    await tab.request('POST', '/auth/logout', {
      token: changed.body.accessToken,
      headers: { 'x-requested-with': 'fetch' },
    })
    await tab.request('POST', '/auth/logout-all', { token: changed.body.accessToken })
  })
  afterAll(async () => demo?.close())

  it('captures the log lines of the flow', () => {
    const messages = demo.logs.map((line) => JSON.parse(line).msg)
    expect(messages).toContain('user logged in')
    expect(messages).toContain('password changed')
    expect(messages.filter((msg) => msg === 'incoming request').length).toBeGreaterThan(10)
    expect(secrets.size).toBeGreaterThan(15)
  })

  it('writes no password, token or cookie value to any log line', () => {
    const leaks = [...secrets].filter((secret) => demo.logs.some((line) => line.includes(secret)))
    // Reports how many leaked, never the secrets themselves.
    expect(leaks.length).toBe(0)
  })
})

describe('reuse detection log', () => {
  let demo: RunningDemo

  beforeAll(async () => {
    demo = await startDemo({ ROTATION_GRACE_SECONDS: '0' })
  })
  afterAll(async () => demo?.close())

  it('writes one warn line naming the family and the user, without any secret', async () => {
    const familyIds: string[] = []
    demo.context.onTesseraEvent((event) => {
      if (event.type === 'reuse.detected') familyIds.push(event.familyId)
    })
    const password = 'reuse-log password one'
    const address = email('reuse')
    const tab = new Client(demo.url)
    await tab.request('POST', '/auth/register', { body: { email: address, password } })
    const login = await tab.request('POST', '/auth/login', { body: { email: address, password } })
    // Passwords, access tokens and their segments, cookies whole and their secret half. The id
    // half of a refresh cookie is not secret: core's family id is the id of its first token.
    const secrets = [password]
    const remember = (accessToken: string) => {
      secrets.push(accessToken, ...accessToken.split('.'))
      for (const value of tab.cookies.values()) secrets.push(value, value.split('.').at(-1)!)
    }
    const first = tab.cookies.get('tessera_refresh')!
    remember(login.body.accessToken)
    const rotated = await tab.refresh()
    remember(rotated.body.accessToken)
    tab.cookies.set('tessera_refresh', first)
    const reused = await tab.refresh()
    expect(reused.body.code).toBe('ERR_REFRESH_TOKEN_REUSED')
    const userId = (await tab.request('GET', '/me', { token: rotated.body.accessToken })).body.id

    const entries = demo.logs.map((line) => JSON.parse(line))
    const warnings = entries.filter((entry) => entry.msg === 'refresh token reuse detected')
    expect(familyIds).toHaveLength(1)
    expect(warnings).toHaveLength(1)
    expect(warnings[0].level).toBe(40)
    expect(warnings[0].familyId).toBe(familyIds[0])
    expect(warnings[0].userId).toBe(userId)
    expect(warnings[0].likely).toBe('theft')
    const line = JSON.stringify(warnings[0])
    const leaks = secrets.filter((secret) => secret.length >= 16 && line.includes(secret))
    expect(leaks.length).toBe(0)
  })
})
