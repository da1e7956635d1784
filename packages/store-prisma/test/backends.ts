// Test backends: one database per test file (a PGlite instance, or a fresh PostgreSQL schema),
// migrated with applyMigrations, and PrismaClients from the package's generated client.
import { randomBytes } from 'node:crypto'
import type { Denylist } from '@tessera/core'
import pg from 'pg'
import { applyMigrations } from '../src/apply-migrations.js'
import { PrismaClient } from '../src/generated/prisma/client.js'
import { createPgliteAdapter } from '../src/pglite.js'
import { createPostgresAdapter } from '../src/postgres.js'

export const POSTGRES_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test'

/** One database for a test file. */
export interface Backend {
  name: string
  client: PrismaClient
  /** A second PrismaClient on the same database, as another app instance opens it. */
  connect(): Promise<PrismaClient>
  /** Empties Tessera's tables between tests. */
  reset(): Promise<void>
  close(): Promise<void>
}

async function truncate(client: PrismaClient): Promise<void> {
  await client.$executeRawUnsafe(
    'TRUNCATE "tessera_access_token", "tessera_refresh_token", "tessera_token_version"',
  )
}

export async function startPglite(): Promise<Backend> {
  const { adapter, pglite } = await createPgliteAdapter()
  const client = new PrismaClient({ adapter })
  await applyMigrations(client)
  const extra: PrismaClient[] = []

  return {
    name: 'pglite',
    client,
    async connect() {
      // PGlite serves one connection; a second client shares it, and its transactions queue.
      const other = new PrismaClient({ adapter })
      extra.push(other)
      return other
    },
    reset: () => truncate(client),
    async close() {
      for (const other of extra) await other.$disconnect()
      await client.$disconnect()
      await pglite.close()
    },
  }
}

/** Why PostgreSQL tests cannot run, or null when the server answers. */
export async function postgresUnavailableReason(): Promise<string | null> {
  const probe = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2_000 })
  try {
    await probe.connect()
    await probe.query('SELECT 1')
    return null
  } catch (error) {
    const reason = `PostgreSQL is unreachable (${(error as Error).message || String(error)})`
    if (process.env.TESSERA_REQUIRE_SERVICES === '1') {
      throw new Error(`${reason} and TESSERA_REQUIRE_SERVICES=1`)
    }
    console.warn(`store-prisma: skipping PostgreSQL tests: ${reason}`)
    return reason
  } finally {
    await probe.end().catch(() => {})
  }
}

/** Runs a statement on an administrative connection outside the clients under test. */
export async function adminQuery<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []) {
  const admin = new pg.Client({ connectionString: POSTGRES_URL })
  await admin.connect()
  try {
    return await admin.query<T>(sql, values)
  } finally {
    await admin.end()
  }
}

export function randomSchema(): string {
  return `tessera_test_${randomBytes(6).toString('hex')}`
}

export async function startPostgres(
  schema = randomSchema(),
): Promise<Backend & { schema: string }> {
  await adminQuery(`CREATE SCHEMA "${schema}"`)
  const clients: PrismaClient[] = []
  const open = () => {
    const created = new PrismaClient({ adapter: createPostgresAdapter(POSTGRES_URL, { schema }) })
    clients.push(created)
    return created
  }
  const client = open()
  await applyMigrations(client)

  return {
    name: 'postgres',
    schema,
    client,
    connect: async () => open(),
    reset: () => truncate(client),
    async close() {
      for (const each of clients) await each.$disconnect()
      await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    },
  }
}

/** A denylist shared by both app instances of a test, kept in this process. */
export function sharedDenylist(clock: () => Date): Denylist {
  const entries = new Map<string, Date>()
  return {
    async add(jti, expiresAt) {
      entries.set(jti, expiresAt)
    },
    async has(jti) {
      const expiresAt = entries.get(jti)
      return expiresAt !== undefined && expiresAt.getTime() > clock().getTime()
    },
    async deleteExpired(now) {
      let deleted = 0
      for (const [jti, expiresAt] of entries) {
        if (expiresAt.getTime() > now.getTime()) continue
        entries.delete(jti)
        deleted++
      }
      return deleted
    },
  }
}
