import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { RotateOutcome } from '@tessera/core'
import { StoreUnavailableError } from '@tessera/core'
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { applyMigrations } from '../src/apply-migrations.js'
import { PrismaClient } from '../src/generated/prisma/client.js'
import { createPostgresAdapter } from '../src/postgres.js'
import { createPrismaRefreshTokenStore } from '../src/refresh-token-store.js'
import {
  adminQuery,
  type Backend,
  POSTGRES_URL,
  postgresUnavailableReason,
  randomSchema,
  startPostgres,
} from './backends.js'
import { firstToken, rotationOf } from './records.js'

const unavailable = await postgresUnavailableReason()
const title = `PostgreSQL${unavailable ? ` (skipped: ${unavailable})` : ''}`

// Waits until a backend is blocked on a lock the session `blockerPid` holds, and returns its pid.
async function blockedBackendPid(blockerPid: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const { rows } = await adminQuery<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE wait_event_type = 'Lock' AND $1 = ANY(pg_blocking_pids(pid))`,
      [blockerPid],
    )
    if (rows[0]) return rows[0].pid
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error('no blocked backend appeared')
}

describe.skipIf(unavailable)(title, () => {
  let backend: Backend & { schema: string }

  beforeAll(async () => {
    backend = await startPostgres()
  })

  afterAll(async () => {
    await backend?.close()
  })

  beforeEach(async () => {
    await backend.reset()
  })

  describe('createPrismaRefreshTokenStore', () => {
    it('lets exactly one of two app instances rotate the same token', async () => {
      const first = createPrismaRefreshTokenStore(backend.client)
      const second = createPrismaRefreshTokenStore(await backend.connect())
      const now = new Date()
      const token = firstToken(now)
      await first.create(token)

      const outcomes: RotateOutcome[] = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          (index % 2 === 0 ? first : second).rotate(rotationOf(token, now)),
        ),
      )

      const statuses = outcomes.map((outcome) => outcome.status)
      expect(statuses.filter((status) => status === 'rotated')).toHaveLength(1)
      expect(statuses.filter((status) => status === 'replayed')).toHaveLength(0)
      expect(statuses).toContain('reused')
      const winner = outcomes.find((outcome) => outcome.status === 'rotated')
      const { rows } = await adminQuery<{ id: string; revoked: boolean }>(
        `SELECT id, revoked_at IS NOT NULL AS revoked FROM "${backend.schema}".tessera_refresh_token
          WHERE family_id = $1`,
        [token.familyId],
      )
      // The original and the one successor that was inserted, both revoked by the reuse.
      expect(rows).toHaveLength(2)
      expect(rows.every((row) => row.revoked)).toBe(true)
      expect(rows.map((row) => row.id).sort()).toEqual(
        [token.id, winner?.status === 'rotated' ? winner.successor.id : ''].sort(),
      )
    })

    it('fails with ERR_STORE_UNAVAILABLE and leaves the family untouched when the connection drops mid-rotation', async () => {
      const store = createPrismaRefreshTokenStore(backend.client)
      const now = new Date()
      const token = firstToken(now)
      await store.create(token)
      const request = rotationOf(token, now)

      // Another session inserts the successor's id without committing, so the rotation blocks
      // on the insert after it has already marked the token used in its statement.
      const blocker = new pg.Client({ connectionString: POSTGRES_URL })
      await blocker.connect()
      try {
        const { rows } = await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
        await blocker.query('BEGIN')
        await blocker.query(
          `INSERT INTO "${backend.schema}".tessera_refresh_token
             (id, family_id, user_id, token_hash, generation, created_at, expires_at, family_expires_at)
           VALUES ($1, 'blocker', 'blocker', 'blocker', 0, now(), now(), now())`,
          [request.successor.id],
        )
        const rotation = store.rotate(request).catch((error: unknown) => error)
        const pid = await blockedBackendPid(rows[0]?.pid ?? -1)
        await adminQuery('SELECT pg_terminate_backend($1)', [pid])

        const error = await rotation
        expect(error).toBeInstanceOf(StoreUnavailableError)
        expect((error as StoreUnavailableError).code).toBe('ERR_STORE_UNAVAILABLE')
        expect((error as StoreUnavailableError).cause).toBeDefined()
      } finally {
        await blocker.query('ROLLBACK').catch(() => {})
        await blocker.end()
      }

      const stored = await store.findById(token.id)
      expect(stored).toMatchObject({ usedAt: null, successorId: null, revokedAt: null })
      expect(await store.findById(request.successor.id)).toBeNull()

      // The pool recovers and the token rotates normally afterwards.
      const retried = await store.rotate(request)
      expect(retried.status).toBe('rotated')
      expect(await store.findById(token.id)).toMatchObject({ successorId: request.successor.id })
    })
  })

  describe('applyMigrations', () => {
    it('records each migration with its checksum and does nothing the second time', async () => {
      const { rows } = await adminQuery<{
        migration_name: string
        checksum: string
        applied_steps_count: number
        finished: boolean
      }>(
        `SELECT migration_name, checksum, applied_steps_count, finished_at IS NOT NULL AS finished
           FROM "${backend.schema}"._prisma_migrations`,
      )
      const file = await readFile(
        new URL(`../prisma/migrations/${rows[0]?.migration_name}/migration.sql`, import.meta.url),
      )
      expect(rows).toEqual([
        {
          migration_name: '20250101000000_tessera_init',
          checksum: createHash('sha256').update(file).digest('hex'),
          applied_steps_count: 1,
          finished: true,
        },
      ])

      const again = await applyMigrations(backend.client)
      expect(again).toEqual({ applied: [], skipped: ['20250101000000_tessera_init'] })
      const after = await adminQuery(`SELECT 1 FROM "${backend.schema}"._prisma_migrations`)
      expect(after.rowCount).toBe(1)
    })

    it('applies a migration once when two instances start at the same time', async () => {
      const schema = randomSchema()
      await adminQuery(`CREATE SCHEMA "${schema}"`)
      const clients = [1, 2].map(
        () => new PrismaClient({ adapter: createPostgresAdapter(POSTGRES_URL, { schema }) }),
      )
      try {
        const results = await Promise.all(clients.map((client) => applyMigrations(client)))
        expect(results.flatMap((result) => result.applied)).toEqual(['20250101000000_tessera_init'])
        const { rowCount } = await adminQuery(`SELECT 1 FROM "${schema}"._prisma_migrations`)
        expect(rowCount).toBe(1)
      } finally {
        for (const client of clients) await client.$disconnect()
        await adminQuery(`DROP SCHEMA "${schema}" CASCADE`)
      }
    })
  })
})
