import { spawnSync } from 'node:child_process'
import type { TesseraEvent } from '@tessera/core'
import { createTestRefreshTokenRecord } from '@tessera/core/testing'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRedisDenylist } from './denylist.js'
import { createRedisRefreshTokenStore } from './refresh-token-store.js'
import {
  connect,
  freePort,
  REQUIRE_SERVICES,
  type RedisChild,
  startRedisChild,
} from './test-helpers.js'
import { createRedisTokenVersionStore } from './token-version-store.js'

const TIMEOUT_MS = 300
// Generous bound for "answered within the timeout" on a busy CI machine.
const WITHIN_MS = TIMEOUT_MS + 700

async function codeAndElapsed(promise: Promise<unknown>) {
  const started = performance.now()
  const outcome = await promise.then(
    () => ({ code: 'resolved' as unknown }),
    (error: { code?: unknown }) => ({ code: error.code }),
  )
  return { code: outcome.code, elapsedMs: performance.now() - started }
}

// Bound to no device, like the rotation requests below.
function record(id: string) {
  return createTestRefreshTokenRecord(new Date(), { id, deviceHash: null, accessTokens: [] })
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('condition not met in time')
}

const haveRedisServer = spawnSync('redis-server', ['--version']).status === 0
if (!haveRedisServer && REQUIRE_SERVICES) throw new Error('redis-server is not installed')
if (!haveRedisServer) console.warn('[store-redis] skipping outage tests: no redis-server binary')

describe('createRedisDenylist with Redis unreachable', () => {
  // A closed port, and a client that would otherwise wait forever: offline queue on, unlimited
  // retries. Only the store's own timeout bounds the calls.
  let client: Redis
  beforeAll(async () => {
    client = connect(`redis://127.0.0.1:${await freePort()}`, { maxRetriesPerRequest: null })
  })
  afterAll(() => client.disconnect())

  it('throws RevocationUnavailableError within the timeout when failing closed', async () => {
    const denylist = createRedisDenylist({ client, commandTimeoutMs: TIMEOUT_MS })
    const { code, elapsedMs } = await codeAndElapsed(denylist.has('jti-1'))
    expect(code).toBe('ERR_REVOCATION_UNAVAILABLE')
    expect(elapsedMs).toBeLessThan(WITHIN_MS)
  })

  it('passes the check and emits revocation.unavailable when failing open', async () => {
    const events: TesseraEvent[] = []
    const at = new Date('2030-01-01T00:00:00Z')
    const denylist = createRedisDenylist({
      client,
      commandTimeoutMs: TIMEOUT_MS,
      onUnavailable: 'fail-open',
      onEvent: (event) => events.push(event),
      clock: () => at,
    })
    expect(await denylist.has('jti-1')).toBe(false)
    expect(events).toEqual([{ type: 'revocation.unavailable', jti: 'jti-1', at }])
  })

  it('still fails open when the event handler throws', async () => {
    const denylist = createRedisDenylist({
      client,
      commandTimeoutMs: TIMEOUT_MS,
      onUnavailable: 'fail-open',
      onEvent: () => {
        throw new Error('broken hook')
      },
    })
    expect(await denylist.has('jti-1')).toBe(false)
  })

  it('fails writes with StoreUnavailableError whatever the policy', async () => {
    const denylist = createRedisDenylist({
      client,
      commandTimeoutMs: TIMEOUT_MS,
      onUnavailable: 'fail-open',
    })
    const { code } = await codeAndElapsed(denylist.add('jti-1', new Date(Date.now() + 60_000)))
    expect(code).toBe('ERR_STORE_UNAVAILABLE')
  })
})

describe('createRedisTokenVersionStore with Redis unreachable', () => {
  let client: Redis
  beforeAll(async () => {
    client = connect(`redis://127.0.0.1:${await freePort()}`, { maxRetriesPerRequest: null })
  })
  afterAll(() => client.disconnect())

  it('follows the policy on get and always fails bump', async () => {
    const closed = createRedisTokenVersionStore({ client, commandTimeoutMs: TIMEOUT_MS })
    const open = createRedisTokenVersionStore({
      client,
      commandTimeoutMs: TIMEOUT_MS,
      onUnavailable: 'fail-open',
    })
    expect((await codeAndElapsed(closed.get('user-1'))).code).toBe('ERR_REVOCATION_UNAVAILABLE')
    expect(await open.get('user-1')).toBe(0)
    expect((await codeAndElapsed(open.bump('user-1'))).code).toBe('ERR_STORE_UNAVAILABLE')
  })
})

describe('createRedisRefreshTokenStore with Redis unreachable', () => {
  let client: Redis
  beforeAll(async () => {
    client = connect(`redis://127.0.0.1:${await freePort()}`, { maxRetriesPerRequest: null })
  })
  afterAll(() => client.disconnect())

  it('throws StoreUnavailableError from every operation within the timeout', async () => {
    const store = createRedisRefreshTokenStore({ client, commandTimeoutMs: TIMEOUT_MS })
    const now = new Date()
    const calls = [
      () => store.create(record('t1')),
      () => store.findById('t1'),
      () =>
        store.rotate({
          tokenId: 't1',
          successor: { ...record('t2'), familyId: 't1' },
          accessToken: { jti: 'j', expiresAt: now },
          deviceHash: null,
          graceMs: 0,
          now,
        }),
      () => store.revoke('t1', now),
      () => store.revokeFamily('t1', now),
      () => store.revokeUser('user-1', now),
      () => store.deleteExpired(now),
    ]
    for (const call of calls) {
      const { code, elapsedMs } = await codeAndElapsed(call())
      expect(code).toBe('ERR_STORE_UNAVAILABLE')
      expect(elapsedMs).toBeLessThan(WITHIN_MS)
    }
  })
})

// A private redis-server on its own port: the shared one on 6379 is never stopped or paused.
describe.skipIf(!haveRedisServer)('stores against a redis-server that goes away', () => {
  let server: RedisChild
  let client: Redis
  let port: number

  beforeAll(async () => {
    port = await freePort()
    server = await startRedisChild(port)
    client = connect(server.url, { maxRetriesPerRequest: null })
  })
  afterAll(async () => {
    client.disconnect()
    await server.stop()
  })

  it('fails closed or open while the server is paused, then answers again', async () => {
    const events: TesseraEvent[] = []
    const closed = createRedisDenylist({ client, commandTimeoutMs: TIMEOUT_MS })
    const open = createRedisDenylist({
      client,
      commandTimeoutMs: TIMEOUT_MS,
      onUnavailable: 'fail-open',
      onEvent: (event) => events.push(event),
    })
    await closed.add('revoked-jti', new Date(Date.now() + 60_000))
    expect(await closed.has('revoked-jti')).toBe(true)

    server.process.kill('SIGSTOP')
    try {
      const { code, elapsedMs } = await codeAndElapsed(closed.has('revoked-jti'))
      expect(code).toBe('ERR_REVOCATION_UNAVAILABLE')
      expect(elapsedMs).toBeLessThan(WITHIN_MS)
      // Fail-open accepts a token that is in fact revoked: that is the trade-off it signals.
      expect(await open.has('revoked-jti')).toBe(false)
      expect(events.map((event) => event.type)).toEqual(['revocation.unavailable'])
    } finally {
      server.process.kill('SIGCONT')
    }

    await eventually(() => closed.has('revoked-jti'))
    expect(await open.has('revoked-jti')).toBe(true)
  })

  it('recovers after the server is stopped and restarted on the same port', async () => {
    const denylist = createRedisDenylist({ client, commandTimeoutMs: TIMEOUT_MS })
    const store = createRedisRefreshTokenStore({ client, commandTimeoutMs: TIMEOUT_MS })
    await store.create(record('before'))
    // Caches the rotation script on this server, so the restart really empties the cache.
    await store.rotate({
      tokenId: 'before',
      successor: { ...record('before-2'), familyId: 'before' },
      accessToken: { jti: 'j0', expiresAt: new Date(Date.now() + 60_000) },
      deviceHash: null,
      graceMs: 0,
      now: new Date(),
    })

    await server.stop()
    expect((await codeAndElapsed(denylist.has('jti-1'))).code).toBe('ERR_REVOCATION_UNAVAILABLE')
    expect((await codeAndElapsed(store.findById('before'))).code).toBe('ERR_STORE_UNAVAILABLE')

    server = await startRedisChild(port)
    await eventually(async () => {
      await denylist.add('after-jti', new Date(Date.now() + 60_000))
      return await denylist.has('after-jti')
    })

    // The restarted server has no cached scripts: EVALSHA gets NOSCRIPT and falls back to EVAL.
    await store.create(record('after'))
    const outcome = await store.rotate({
      tokenId: 'after',
      successor: { ...record('after-2'), familyId: 'after' },
      accessToken: { jti: 'j1', expiresAt: new Date(Date.now() + 60_000) },
      deviceHash: null,
      graceMs: 0,
      now: new Date(),
    })
    expect(outcome.status).toBe('rotated')
  })
})
