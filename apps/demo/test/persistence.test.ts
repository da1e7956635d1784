import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Client, email, startDemo } from './harness.js'

const PASSWORD = 'correct horse battery'

describe('the embedded default across a restart', () => {
  let dataDir = ''

  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('creates keys and secret with mode 0600 once and keeps users and sessions', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tessera-demo-restart-'))
    const address = email('restart')

    const first = await startDemo({ DATA_DIR: dataDir })
    const browser = new Client(first.url)
    await browser.request('POST', '/auth/register', {
      body: { email: address, password: PASSWORD },
    })
    await browser.request('POST', '/auth/login', { body: { email: address, password: PASSWORD } })
    const jwksBefore = await (await fetch(`${first.url}/.well-known/jwks.json`)).json()
    await first.close()

    for (const file of ['keys.json', 'secret']) {
      expect((await stat(join(dataDir, file))).mode & 0o777).toBe(0o600)
    }

    const second = await startDemo({ DATA_DIR: dataDir })
    try {
      const restarted = new Client(second.url)
      for (const [name, value] of browser.cookies) restarted.cookies.set(name, value)
      const jwksAfter = await (await fetch(`${second.url}/.well-known/jwks.json`)).json()
      expect(jwksAfter).toEqual(jwksBefore)

      // The refresh cookie issued before the restart still rotates: same database, same secret.
      const refreshed = await restarted.refresh()
      expect(refreshed.status).toBe(200)
      const login = await restarted.request('POST', '/auth/login', {
        body: { email: address, password: PASSWORD },
      })
      expect(login.status).toBe(200)
    } finally {
      await second.close()
    }
  })
})

describe('periodic cleanup', () => {
  it('runs tessera.cleanup() on the configured interval', async () => {
    const demo = await startDemo({ CLEANUP_INTERVAL_SECONDS: '1' })
    try {
      const deadline = Date.now() + 10_000
      const ran = () => demo.logs.some((line) => line.includes('expired tokens cleaned up'))
      while (!ran() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
      expect(ran()).toBe(true)
    } finally {
      await demo.close()
    }
  })
})
