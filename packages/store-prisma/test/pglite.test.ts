import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { applyMigrations } from '../src/apply-migrations.js'
import { PrismaClient } from '../src/generated/prisma/client.js'
import { createPgliteAdapter } from '../src/pglite.js'
import { createPrismaRefreshTokenStore } from '../src/refresh-token-store.js'
import { type Backend, startPglite } from './backends.js'
import { at, firstToken, HOUR_MS, randomId } from './records.js'

const MIGRATION = '20250101000000_tessera_init'

let backend: Backend

beforeAll(async () => {
  backend = await startPglite()
})

afterAll(async () => {
  await backend?.close()
})

beforeEach(async () => {
  await backend.reset()
})

describe('createPrismaRefreshTokenStore', () => {
  it('deleteExpired removes exactly the rows whose token or family expiry has passed', async () => {
    const store = createPrismaRefreshTokenStore(backend.client)
    const now = new Date()
    const live = firstToken(now, { expiresAt: at(now, 1), familyExpiresAt: at(now, 1) })
    const expiresNow = firstToken(now, { expiresAt: now })
    const expired = firstToken(now, { expiresAt: at(now, -HOUR_MS) })
    const familyEnded = firstToken(now, { familyExpiresAt: at(now, -1) })
    for (const record of [live, expiresNow, expired, familyEnded]) await store.create(record)

    expect(await store.deleteExpired(now)).toBe(3)

    expect(await store.findById(live.id)).not.toBeNull()
    for (const gone of [expiresNow, expired, familyEnded]) {
      expect(await store.findById(gone.id)).toBeNull()
    }
    const accessTokens = await backend.client.tesseraAccessToken.findMany()
    expect(accessTokens.map((token) => token.refreshTokenId)).toEqual([live.id])
    expect(await store.deleteExpired(now)).toBe(0)
  })

  it('keeps access tokens in the order they were issued', async () => {
    const store = createPrismaRefreshTokenStore(backend.client)
    const now = new Date()
    const expiresAt = at(now, HOUR_MS)
    const jtis = ['zz', 'aa', 'mm', randomId()]
    const token = firstToken(now, { accessTokens: jtis.map((jti) => ({ jti, expiresAt })) })
    await store.create(token)

    const stored = await store.findById(token.id)
    expect(stored?.accessTokens.map((issued) => issued.jti)).toEqual(jtis)
    expect(stored).toEqual(token)
  })
})

describe('applyMigrations', () => {
  it('records the migration with the checksum of its file, once', async () => {
    const rows = await backend.client.$queryRawUnsafe<
      { migration_name: string; checksum: string; applied_steps_count: number }[]
    >('SELECT migration_name, checksum, applied_steps_count FROM _prisma_migrations')
    const file = await readFile(
      new URL(`../prisma/migrations/${MIGRATION}/migration.sql`, import.meta.url),
    )
    expect(rows).toEqual([
      {
        migration_name: MIGRATION,
        checksum: createHash('sha256').update(file).digest('hex'),
        applied_steps_count: 1,
      },
    ])

    expect(await applyMigrations(backend.client)).toEqual({ applied: [], skipped: [MIGRATION] })
    const after = await backend.client.$queryRawUnsafe<unknown[]>(
      'SELECT 1 FROM _prisma_migrations',
    )
    expect(after).toHaveLength(1)
  })

  it('keeps a PGlite data directory across restarts without migrating twice', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tessera-pglite-'))
    try {
      for (const expected of [[MIGRATION], []]) {
        const { adapter, pglite } = await createPgliteAdapter(dataDir)
        const client = new PrismaClient({ adapter })
        expect((await applyMigrations(client)).applied).toEqual(expected)
        await client.$disconnect()
        await pglite.close()
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
