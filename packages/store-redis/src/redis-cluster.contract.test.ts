import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runStoreContract } from '@tessera/core/testing'
import { Cluster } from 'ioredis'
import { afterAll, beforeAll, describe } from 'vitest'
import { createRedisStores } from './stores.js'
import {
  CLIENT_OPTIONS,
  REQUIRE_SERVICES,
  type RedisChild,
  randomPrefix,
  startClusterChild,
} from './test-helpers.js'

const haveRedisServer = spawnSync('redis-server', ['--version']).status === 0
if (!haveRedisServer && REQUIRE_SERVICES) throw new Error('redis-server is not installed')

// The same contract suite, through an ioredis Cluster client on a private one-node cluster.
describe.skipIf(!haveRedisServer)('redis cluster (one node, all slots)', () => {
  const directory = mkdtempSync(join(tmpdir(), 'tessera-cluster-'))
  let node: RedisChild

  beforeAll(async () => {
    node = await startClusterChild(directory)
  })
  afterAll(async () => {
    await node?.stop()
    rmSync(directory, { recursive: true, force: true })
  })

  runStoreContract('redis cluster', async ({ clock }) => {
    const prefix = randomPrefix()
    const clients: Cluster[] = []
    const open = () => {
      const client = new Cluster([{ host: '127.0.0.1', port: node.port }], {
        redisOptions: CLIENT_OPTIONS,
      })
      client.on('error', () => {})
      clients.push(client)
      return createRedisStores({ client, prefix, clock, commandTimeoutMs: 5000 })
    }
    return {
      ...open(),
      reconnect: async () => open(),
      // The node is private to this file and stopped afterwards; keys need no cleanup.
      teardown: async () => {
        await Promise.all(clients.map((client) => client.quit()))
      },
    }
  })
})
