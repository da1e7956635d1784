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
