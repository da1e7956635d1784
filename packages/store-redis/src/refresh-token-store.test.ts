import { randomBytes } from 'node:crypto'
import { createTestRefreshTokenRecord } from '@tessera/core/testing'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createRedisRefreshTokenStore } from './refresh-token-store.js'
import {
  connect,
  deletePrefix,
  REDIS_URL,
  randomPrefix,
  redisAvailability,
} from './test-helpers.js'

const { available, reason } = await redisAvailability()

describe.skipIf(!available)(
  `createRedisRefreshTokenStore on ${REDIS_URL}${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let client: ReturnType<typeof connect>
    let prefix: string

    beforeEach(() => {
      client = connect()
      prefix = randomPrefix()
    })

    afterEach(async () => {
      vi.restoreAllMocks()
      await deletePrefix(client, prefix)
      await client.quit()
    })

    // Names of the commands the client sends while `findById` runs.
    async function commandsOf(id: string): Promise<string[]> {
      const store = createRedisRefreshTokenStore({ client, prefix })
      const sent = vi.spyOn(client, 'sendCommand')
      try {
        await store.findById(id)
        return sent.mock.calls.map(([command]) => command.name.toLowerCase())
      } finally {
        sent.mockRestore()
      }
    }

    it('sends the same commands to findById for an unknown id as for a stored one', async () => {
      const store = createRedisRefreshTokenStore({ client, prefix })
      const now = new Date()
      const stored = createTestRefreshTokenRecord(now)
      await store.create(stored)
      const revoked = createTestRefreshTokenRecord(now, { userId: 'user-2' })
      await store.create(revoked)
      await store.revoke(revoked.id, now)

      const known = await commandsOf(stored.id)
      const unknown = await commandsOf(randomBytes(16).toString('base64url'))

      expect(known).toEqual(['get', 'hmget'])
      expect(unknown).toEqual(known)
      expect(await commandsOf(revoked.id)).toEqual(known)
    })

    it('finds a stored record, and null for an unknown id without creating a key', async () => {
      const store = createRedisRefreshTokenStore({ client, prefix })
      const now = new Date()
      const stored = createTestRefreshTokenRecord(now)
      await store.create(stored)
      const countKeys = async () => {
        let count = 0
        let cursor = '0'
        do {
          const [next, found] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
          cursor = next
          count += found.length
        } while (cursor !== '0')
        return count
      }
      const before = await countKeys()

      expect(await store.findById(stored.id)).toEqual(stored)
      expect(await store.findById(randomBytes(16).toString('base64url'))).toBeNull()
      expect(await countKeys()).toBe(before)
    })
  },
)
