import { randomBytes } from 'node:crypto'
import { access, mkdir, open, readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import {
  createMemoryDenylist,
  createTessera,
  type Denylist,
  generateKeySet,
  type KeySet,
  loadKeySet,
  saveKeySet,
  type TesseraEvent,
  toJwks,
} from '@tessera/core'
import { applyMigrations, createPrismaStore } from '@tessera/store-prisma'
import { createPostgresAdapter } from '@tessera/store-prisma/postgres'
import { createRedisDenylist } from '@tessera/store-redis'
import { Redis } from 'ioredis'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import { type AppConfig, ConfigError, quoteSchemaName } from './config.js'
import type { AppContext, ProbeResult } from './context.js'
import { PrismaClient } from './generated/prisma/client.js'
import { prepareDummyHash } from './passwords.js'
import { createUserRepository } from './users.js'

const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../prisma/migrations')
const REFRESH_TOKEN_TTL_SECONDS = 7 * 24 * 3600
const PROBE_TIMEOUT_MS = 2000

async function writeOwnerOnly(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  // `wx`: never overwrite, so two processes starting at once cannot swap each other's secret.
  const handle = await open(file, 'wx', 0o600)
  try {
    await handle.writeFile(content, 'utf8')
  } finally {
    await handle.close()
  }
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'ENOENT'
}

/** The key set in `file`, generated (ES256, mode 0600) on first start. */
async function loadOrCreateKeySet(file: string): Promise<KeySet> {
  const exists = await access(file).then(
    () => true,
    (error: unknown) => {
      if (isMissing(error)) return false
      throw error
    },
  )
  if (exists) return loadKeySet(file)

  const keys = await generateKeySet('ES256')
  await saveKeySet(keys, file)
  return keys
}

/** The server secret (HMAC key for refresh-token secrets and device ids), kept in `file`. */
async function loadOrCreateSecret(file: string): Promise<string> {
  try {
    const secret = (await readFile(file, 'utf8')).trim()
    if (secret.length < 43) throw new ConfigError(`secret file ${file} is too short`)
    return secret
  } catch (error) {
    if (!isMissing(error)) throw error
  }
  const secret = randomBytes(32).toString('base64url')
  await writeOwnerOnly(file, `${secret}\n`)
  return secret
}

async function probe(check: () => Promise<unknown>): Promise<ProbeResult> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('probe timed out')), PROBE_TIMEOUT_MS)
  })
  try {
    await Promise.race([check(), timeout])
    return 'ok'
  } catch {
    return 'unavailable'
  } finally {
    clearTimeout(timer)
  }
}

/** Database client and how to close it: PGlite in `dataDir`, or PostgreSQL. */
async function openDatabase(config: AppConfig) {
  if (config.databaseUrl) {
    const schema = config.databaseSchema
    // A short connect timeout: an unreachable database answers 503 rather than hanging.
    const adapter = createPostgresAdapter(config.databaseUrl, {
      ...(schema ? { schema } : {}),
      connectionTimeoutMs: 3000,
    })
    const prisma = new PrismaClient({ adapter })
    return { prisma, schema, close: () => prisma.$disconnect() }
  }

  const pglite = await PGlite.create(join(config.dataDir, 'pglite'))
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) })
  return {
    prisma,
    schema: null,
    close: async () => {
      await prisma.$disconnect()
      await pglite.close()
    },
  }
}

function openDenylist(config: AppConfig): { denylist: Denylist; close: () => Promise<void> } {
  if (!config.redisUrl) return { denylist: createMemoryDenylist(), close: async () => {} }

  // No offline queue: while Redis is down, commands fail at once and the denylist fails
  // closed (503) instead of hanging requests.
  const client = new Redis(config.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    lazyConnect: false,
  })
  // Errors surface through the commands; without a listener ioredis would print them.
  client.on('error', () => {})
  const denylist = createRedisDenylist({
    client,
    prefix: config.redisPrefix,
    onUnavailable: 'fail-closed',
  })
  return {
    denylist,
    close: async () => {
      await client.quit().catch(() => client.disconnect())
    },
  }
}

/**
 * Opens everything the app needs for `config`: database (migrated), denylist, key set and
 * server secret (both created in `dataDir` on first start), and the Tessera instance.
 */
export async function createRuntime(config: AppConfig): Promise<AppContext> {
  const keys = await loadOrCreateKeySet(join(config.dataDir, 'keys.json'))
  const secret =
    process.env.TESSERA_SECRET || (await loadOrCreateSecret(join(config.dataDir, 'secret')))

  const database = await openDatabase(config)
  const { denylist, close: closeDenylist } = openDenylist(config)
  try {
    // Like `prisma migrate deploy`, create the schema named in the URL when it is missing.
    if (database.schema) {
      const schema = quoteSchemaName(database.schema)
      await database.prisma.$executeRawUnsafe(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
    }
    await applyMigrations(database.prisma, { migrationsDir: MIGRATIONS_DIR })
  } catch (error) {
    await database.close().catch(() => {})
    await closeDenylist()
    const reason = error instanceof Error ? error.message : String(error)
    throw new Error(`cannot migrate the database (${reason})`, { cause: error })
  }

  await prepareDummyHash()
  const users = createUserRepository(database.prisma)
  // Tessera exists before the app and its logger: events go to whoever subscribes later.
  const eventListeners = new Set<(event: TesseraEvent) => void>()
  const tessera = createTessera({
    keys,
    issuer: config.issuer,
    audience: config.audience,
    secret,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: REFRESH_TOKEN_TTL_SECONDS,
    rotationGraceSeconds: config.rotationGraceSeconds,
    denylist,
    ...createPrismaStore({ client: database.prisma }),
    // Roles can change during a family's life: read the current one at each rotation.
    resolveRole: async (userId) => (await users.findById(userId))?.role,
    onEvent: (event) => {
      for (const listener of eventListeners) listener(event)
    },
  })

  const jwks = toJwks(keys)
  return {
    config,
    tessera,
    users,
    jwks: () => jwks,
    refreshTokenTtlSeconds: REFRESH_TOKEN_TTL_SECONDS,
    onTesseraEvent: (listener) => {
      eventListeners.add(listener)
      return () => eventListeners.delete(listener)
    },
    probes: {
      database: () => probe(() => database.prisma.$queryRawUnsafe('SELECT 1')),
      denylist: () => probe(() => denylist.has('readiness-probe')),
    },
    close: async () => {
      await Promise.allSettled([database.close(), closeDenylist()])
    },
  }
}
