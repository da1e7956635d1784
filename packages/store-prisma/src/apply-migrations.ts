import { createHash, randomUUID } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { asDb, type Delegates, type TesseraPrismaClient } from './client.js'
import { splitSql } from './split-sql.js'
import { guard } from './store-errors.js'

/** Options of {@link applyMigrations}. */
export interface ApplyMigrationsOptions {
  /**
   * Folder in Prisma's layout: one `<timestamp>_<name>/migration.sql` per migration.
   * @default this package's own `prisma/migrations`
   */
  migrationsDir?: string
  /**
   * Longest time one migration may take, in milliseconds.
   * @default 60000
   */
  timeoutMs?: number
}

/** What {@link applyMigrations} did. */
export interface ApplyMigrationsResult {
  /** Migrations run by this call, in order. */
  applied: string[]
  /** Migrations that were already recorded as applied. */
  skipped: string[]
}

const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../prisma/migrations', import.meta.url))

// The key `prisma migrate` locks, so that this helper and the Prisma CLI also exclude each other.
const MIGRATION_LOCK_KEY = 72707369

// Same table, columns and types as the one `prisma migrate deploy` creates.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`

interface Migration {
  name: string
  script: string
  checksum: string
}

async function readMigrations(dir: string): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()

  const migrations: Migration[] = []
  for (const name of names) {
    const bytes = await readFile(join(dir, name, 'migration.sql')).catch(() => null)
    if (!bytes) continue
    const checksum = createHash('sha256').update(bytes).digest('hex')
    migrations.push({ name, script: bytes.toString('utf8'), checksum })
  }
  return migrations
}

async function isApplied(tx: Delegates, name: string): Promise<boolean> {
  const rows = await tx.$queryRawUnsafe<{ migration_name: string }[]>(
    `SELECT "migration_name" FROM "_prisma_migrations"
      WHERE "migration_name" = $1 AND "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`,
    name,
  )
  return rows.length > 0
}

/**
 * Applies the migrations of a Prisma `migrations` folder that the database has not seen yet,
 * without the Prisma CLI. Each migration runs in its own transaction together with its row in
 * Prisma's `_prisma_migrations` table (same columns, SHA-256 checksum of the file), so a later
 * `prisma migrate deploy` on the same database and files finds nothing to do. A second run is
 * a no-op, and concurrent runs wait for each other on the advisory lock `prisma migrate` uses.
 *
 * Tables are created in the connection's current schema (`search_path`).
 *
 * @example
 * ```ts
 * import { applyMigrations } from '@tessera/store-prisma'
 *
 * await applyMigrations(prisma) // Tessera's own tables
 * await applyMigrations(prisma, { migrationsDir: './prisma/migrations' }) // a merged schema
 * ```
 */
export async function applyMigrations(
  client: TesseraPrismaClient,
  options: ApplyMigrationsOptions = {},
): Promise<ApplyMigrationsResult> {
  const db = asDb(client)
  const migrations = await readMigrations(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR)
  const timeout = options.timeoutMs ?? 60_000
  const result: ApplyMigrationsResult = { applied: [], skipped: [] }

  for (const migration of migrations) {
    const ran = await guard(() =>
      db.$transaction(
        async (tx) => {
          await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`)
          await tx.$executeRawUnsafe(CREATE_MIGRATIONS_TABLE)
          if (await isApplied(tx, migration.name)) return false

          const startedAt = new Date()
          for (const statement of splitSql(migration.script)) {
            await tx.$executeRawUnsafe(statement)
          }
          await tx.$executeRawUnsafe(
            `INSERT INTO "_prisma_migrations"
               ("id", "checksum", "finished_at", "migration_name", "started_at", "applied_steps_count")
             VALUES ($1, $2, now(), $3, $4, 1)`,
            randomUUID(),
            migration.checksum,
            migration.name,
            startedAt,
          )
          return true
        },
        { maxWait: timeout, timeout },
      ),
    )
    ;(ran ? result.applied : result.skipped).push(migration.name)
  }

  return result
}
