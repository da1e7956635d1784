import { afterEach, describe, expect, it, vi } from 'vitest'
import { createTestRefreshTokenRecord } from '../testing/refresh-token-record.js'
import { createTestClock } from '../testing/test-clock.js'
import { createMemoryStores } from './memory.js'
import { createMemoryDenylist } from './memory-denylist.js'
import { createMemoryRefreshTokenStore } from './memory-refresh-token-store.js'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('createMemoryDenylist', () => {
  it('forgets an entry once its expiry passes, without a timer', async () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout')
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval')
    const clock = createTestClock(new Date('2030-01-01T00:00:00Z'))
    const denylist = createMemoryDenylist({ clock: clock.now })

    await denylist.add('jti-1', new Date(clock.now().getTime() + 1000))
    expect(await denylist.has('jti-1')).toBe(true)
    clock.advance(999)
    expect(await denylist.has('jti-1')).toBe(true)
    clock.advance(1)
    expect(await denylist.has('jti-1')).toBe(false)
    expect(setTimeoutSpy).not.toHaveBeenCalled()
    expect(setIntervalSpy).not.toHaveBeenCalled()
  })

  it('deletes exactly the expired entries', async () => {
    const clock = createTestClock(new Date('2030-01-01T00:00:00Z'))
    const denylist = createMemoryDenylist({ clock: clock.now })
    const base = clock.now().getTime()
    await denylist.add('short', new Date(base + 1000))
    await denylist.add('long', new Date(base + 5000))

    expect(await denylist.deleteExpired(new Date(base + 1000))).toBe(1)
    expect(await denylist.deleteExpired(new Date(base + 1000))).toBe(0)
    expect(await denylist.has('long')).toBe(true)
  })
})

describe('createMemoryRefreshTokenStore', () => {
  it('hands out copies, so callers cannot change stored records', async () => {
    const store = createMemoryRefreshTokenStore()
    const now = new Date('2030-01-01T00:00:00Z')
    const record = createTestRefreshTokenRecord(now, { id: 'token-1', accessTokens: [] })
    await store.create(record)
    record.revokedAt = now
    const found = await store.findById('token-1')
    found?.accessTokens.push({ jti: 'x', expiresAt: now })

    expect(await store.findById('token-1')).toMatchObject({ revokedAt: null, accessTokens: [] })
  })
})

describe('createMemoryStores', () => {
  it('returns the three stores under the option names of createTessera', () => {
    expect(Object.keys(createMemoryStores()).sort()).toEqual([
      'denylist',
      'refreshTokenStore',
      'tokenVersionStore',
    ])
  })
})
