// Test support for this package's own tests; excluded from the build and the published files.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis, type RedisOptions } from 'ioredis'

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
export const REQUIRE_SERVICES = process.env.TESSERA_REQUIRE_SERVICES === '1'

/** Client settings the README recommends: bounded retries, quick reconnects. */
export const CLIENT_OPTIONS: RedisOptions = {
  maxRetriesPerRequest: 1,
  retryStrategy: () => 100,
  connectTimeout: 1000,
}

/** Null when Redis answers PING, otherwise why not. */
export async function probeRedis(url = REDIS_URL): Promise<string | null> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.ping()
    return null
  } catch (error) {
    return `Redis unreachable at ${url}: ${(error as Error).message}`
  } finally {
    client.disconnect()
  }
}

/**
 * Decides whether Redis tests run: they do when Redis answers; otherwise they are skipped with
 * a visible reason, unless TESSERA_REQUIRE_SERVICES=1 (CI), where a missing Redis is an error.
 */
export async function redisAvailability(): Promise<{ available: boolean; reason: string }> {
  const reason = await probeRedis()
  if (reason === null) return { available: true, reason: '' }
  if (REQUIRE_SERVICES) throw new Error(`${reason} (TESSERA_REQUIRE_SERVICES=1)`)
  console.warn(`[store-redis] skipping Redis tests: ${reason}`)
  return { available: false, reason }
}

export function connect(url = REDIS_URL, options: RedisOptions = {}): Redis {
  const client = new Redis(url, { ...CLIENT_OPTIONS, ...options })
  // Outage tests provoke connection errors on purpose; they surface through commands.
  client.on('error', () => {})
  return client
}

/** A fresh prefix per test, so tests never see each other's keys. */
export function randomPrefix(): string {
  return `tessera-test:${randomBytes(6).toString('hex')}:`
}

/** Deletes every key under `prefix` with SCAN (never KEYS); returns how many. */
export async function deletePrefix(client: Redis, prefix: string): Promise<number> {
  let deleted = 0
  let cursor = '0'
  do {
    const [next, found] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
    cursor = next
    if (found.length > 0) deleted += await client.del(...found)
  } while (cursor !== '0')
  return deleted
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/** A private redis-server child on its own port, so outage tests never touch the shared one. */
export interface RedisChild {
  port: number
  url: string
  process: ChildProcess
  stop(): Promise<void>
}

export async function startRedisChild(port: number): Promise<RedisChild> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  )
  const url = `redis://127.0.0.1:${port}`
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  for (let attempt = 0; (await probeRedis(url)) !== null; attempt++) {
    if (attempt > 50) {
      child.kill('SIGKILL')
      throw new Error(`redis-server on port ${port} did not start`)
    }
    await sleep(100)
  }
  return {
    port,
    url,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGCONT')
      child.kill('SIGTERM')
      await exited
    },
  }
}

/**
 * A one-node Redis Cluster (cluster mode on, all 16384 slots on this node) on a free port, so
 * that the stores run through an ioredis `Cluster` client and Cluster's rules (CROSSSLOT,
 * routing by key slot) apply.
 */
export async function startClusterChild(directory: string): Promise<RedisChild> {
  const port = await freePort()
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      `${directory}/nodes-${port}.conf`,
      // Without it a lone node announces an empty host in CLUSTER SLOTS.
      '--cluster-announce-ip',
      '127.0.0.1',
    ],
    { stdio: 'ignore', cwd: directory },
  )
  const url = `redis://127.0.0.1:${port}`
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    await exited
  }
  const admin = new Redis(url, { lazyConnect: true, retryStrategy: () => 100 })
  admin.on('error', () => {})
  try {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 100) throw new Error(`cluster node on port ${port} did not become ready`)
      try {
        if (admin.status !== 'ready') await admin.connect()
        const info = await admin.cluster('INFO')
        if (String(info).includes('cluster_state:ok')) break
        if (String(info).includes('cluster_slots_assigned:0')) {
          await admin.cluster('ADDSLOTSRANGE', 0, 16383)
        }
      } catch {
        // Not listening yet.
      }
      await sleep(100)
    }
  } catch (error) {
    await stop()
    throw error
  } finally {
    admin.disconnect()
  }
  return { port, url, process: child, stop }
}
