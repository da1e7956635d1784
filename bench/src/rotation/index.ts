/**
 * Rotation throughput: `refreshTokens` per second and p50/p99 latency at 1, 16 and 64
 * concurrent clients, each client rotating its own family in a closed loop, on the memory
 * store, PGlite, PostgreSQL and Redis, beside the same SQL statements on plain `pg`.
 */
import { randomBytes } from 'node:crypto'
import {
  createMemoryStores,
  createTessera,
  generateKey,
  type RefreshTokenStore,
} from '@tessera/core'
import pg from 'pg'
import { DATABASE_URL, REDIS_URL, ROTATION_SECONDS, STORES } from '../env.js'
import { closedLoop, type LoadResult } from './harness.js'
import { floorClient, floorRotate } from './pg-floor.js'

export const CONCURRENCY = [1, 16, 64]

export interface RotationResult extends LoadResult {
  backend: string
}

export interface RotationReport {
  results: RotationResult[]
  /** Back ends that could not run, with the reason (shown in the report). */
  skipped: { backend: string; reason: string }[]
}

interface Backend {
  name: string
  /** A refresh-token store on a fresh database; `close` drops everything it created. */
  open(): Promise<{ store: RefreshTokenStore; close(): Promise<void> }>
}

// The package's generated Prisma client (made by its build, which `pnpm bench` runs first).
const PRISMA_CLIENT = '../../../packages/store-prisma/src/generated/prisma/client.js'

async function prismaStore(client: unknown) {
  const prisma = await import('@tessera/store-prisma')
  await prisma.applyMigrations(client as never)
  return prisma.createPrismaRefreshTokenStore(client as never)
}

const pglite: Backend = {
  name: 'PGlite (Prisma)',
  async open() {
    const { PGlite } = await import('@electric-sql/pglite')
    const { PrismaPGlite } = await import('pglite-prisma-adapter')
    const { PrismaClient } = await import(PRISMA_CLIENT)
    const db = await PGlite.create()
    const client = new PrismaClient({ adapter: new PrismaPGlite(db) })
    const store = await prismaStore(client)
    return {
      store,
      async close() {
        await client.$disconnect()
        await db.close()
      },
    }
  },
}

function schemaName() {
  return `tessera_bench_${randomBytes(6).toString('hex')}`
}

async function admin<T>(work: (client: pg.Client) => Promise<T>) {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

function postgres(schema: string): Backend {
  return {
    name: 'PostgreSQL (Prisma)',
    async open() {
      const { PrismaPg } = await import('@prisma/adapter-pg')
      const { PrismaClient } = await import(PRISMA_CLIENT)
      const adapter = new PrismaPg(
        { connectionString: DATABASE_URL, max: 10, options: `-c search_path=${schema}` },
        { schema },
      )
      const client = new PrismaClient({ adapter })
      const store = await prismaStore(client)
      return {
        store,
        async close() {
          await client.$disconnect()
        },
      }
    },
  }
}

function redis(prefix: string): Backend {
  return {
    name: 'Redis',
    async open() {
      const { Redis } = await import('ioredis')
      const storeRedis = (await import('@tessera/store-redis')) as Record<string, unknown>
      const create = storeRedis.createRedisRefreshTokenStore as
        | ((options: { client: unknown; prefix: string }) => RefreshTokenStore)
        | undefined
      if (!create) throw new Error('@tessera/store-redis exports no createRedisRefreshTokenStore')
      const client = new Redis(REDIS_URL, {
        lazyConnect: true,
        maxRetriesPerRequest: 1,
        // Never reconnect in the background: an unreachable Redis skips this back end.
        retryStrategy: () => null,
      })
      await client.connect().catch((error: unknown) => {
        client.disconnect()
        throw error
      })
      return {
        store: create({ client, prefix }),
        async close() {
          // Delete every key under our own prefix, nothing else.
          let cursor = '0'
          do {
            const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
            cursor = next
            if (keys.length > 0) await client.del(...keys)
          } while (cursor !== '0')
          await client.quit()
        },
      }
    },
  }
}

async function measureTessera(store: RefreshTokenStore, clients: number) {
  const key = await generateKey('ES256')
  const tessera = createTessera({
    keys: { keys: [key] },
    issuer: 'https://auth.bench.example',
    audience: 'https://api.bench.example',
    secret: randomBytes(32),
    refreshTokenStore: store,
  })
  return closedLoop(
    clients,
    ROTATION_SECONDS,
    async (i) => {
      const device = `device-${i}`
      const { refreshToken } = await tessera.issueTokens(`user-${i}`, { device })
      return { device, current: refreshToken }
    },
    async (worker) => {
      const pair = await tessera.refreshTokens(worker.current, { device: worker.device })
      worker.current = pair.refreshToken
    },
  )
}

export async function runRotationBench(log: (line: string) => void): Promise<RotationReport> {
  const report: RotationReport = { results: [], skipped: [] }
  const record = (backend: string, result: LoadResult) => {
    report.results.push({ backend, ...result })
    const { clients, perSecond, p50Ms, p99Ms, errors } = result
    log(
      `rotation ${backend} x${clients}: ${Math.round(perSecond)}/s p50 ${p50Ms.toFixed(2)} ms` +
        ` p99 ${p99Ms.toFixed(2)} ms${errors ? ` (${errors} errors)` : ''}`,
    )
  }
  const skip = (backend: string, error: unknown) => {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
    report.skipped.push({ backend, reason: reason ?? 'unknown' })
    log(`rotation ${backend}: skipped (${reason})`)
  }

  const backends: Backend[] = []
  if (STORES.has('memory')) {
    backends.push({
      name: 'memory',
      async open() {
        return { store: createMemoryStores().refreshTokenStore, close: async () => {} }
      },
    })
  }
  if (STORES.has('pglite')) backends.push(pglite)
  const schema = schemaName()
  let schemaCreated = false
  if (STORES.has('postgres')) {
    try {
      await admin((client) => client.query(`CREATE SCHEMA "${schema}"`))
      schemaCreated = true
      backends.push(postgres(schema))
    } catch (error) {
      skip('PostgreSQL (Prisma)', error)
    }
  }
  if (STORES.has('redis')) backends.push(redis(`tessera-bench-${randomBytes(4).toString('hex')}:`))

  try {
    for (const backend of backends) {
      for (const clients of CONCURRENCY) {
        let opened: Awaited<ReturnType<Backend['open']>> | undefined
        try {
          opened = await backend.open()
          record(backend.name, await measureTessera(opened.store, clients))
        } catch (error) {
          skip(backend.name, error)
          break
        } finally {
          await opened?.close().catch(() => {})
        }
      }
      // The floor runs in the schema the Prisma store just migrated, right after it.
      if (backend.name === 'PostgreSQL (Prisma)') await runFloor(schema, record, skip)
    }
  } finally {
    if (schemaCreated) {
      await admin((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))
    }
  }
  return report
}

async function runFloor(
  schema: string,
  record: (backend: string, result: LoadResult) => void,
  skip: (backend: string, error: unknown) => void,
) {
  const name = 'PostgreSQL (plain pg floor)'
  const pool = new pg.Pool({
    connectionString: DATABASE_URL,
    max: 10,
    options: `-c search_path=${schema}`,
  })
  try {
    for (const clients of CONCURRENCY) {
      record(
        name,
        await closedLoop(
          clients,
          ROTATION_SECONDS,
          (i) => floorClient(pool, i),
          (worker) => floorRotate(pool, worker),
        ),
      )
    }
  } catch (error) {
    skip(name, error)
  } finally {
    await pool.end()
  }
}
