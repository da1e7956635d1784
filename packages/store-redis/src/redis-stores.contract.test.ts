import { runStoreContract } from '@tessera/core/testing'
import { describe } from 'vitest'
import { createRedisStores } from './stores.js'
import {
  connect,
  deletePrefix,
  REDIS_URL,
  randomPrefix,
  redisAvailability,
} from './test-helpers.js'

const { available, reason } = await redisAvailability()

describe.skipIf(!available)(`redis on ${REDIS_URL}${reason ? ` (skipped: ${reason})` : ''}`, () => {
  runStoreContract('redis', async ({ clock }) => {
    const prefix = randomPrefix()
    const clients = [connect()]
    const open = (client = connect()) => {
      if (!clients.includes(client)) clients.push(client)
      return createRedisStores({ client, prefix, clock, commandTimeoutMs: 5000 })
    }
    return {
      ...open(clients[0]),
      // A second connection, as a second app instance would open it.
      reconnect: async () => open(),
      async teardown() {
        const [first] = clients
        if (first) await deletePrefix(first, prefix)
        await Promise.all(clients.map((client) => client.quit()))
      },
    }
  })
})
