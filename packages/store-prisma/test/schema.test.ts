// Tessera's tables in a schema that the connection's search_path does not lead to: Prisma's own
// queries follow the adapter's `schema` option, the store's SQL statement follows its own.
import { randomBytes } from 'node:crypto'
import { PrismaPg } from '@prisma/adapter-pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyMigrations } from '../src/apply-migrations.js'
import { PrismaClient } from '../src/generated/prisma/client.js'
import { createPostgresAdapter } from '../src/postgres.js'
import { createPrismaStore } from '../src/prisma-store.js'
import { adminQuery, POSTGRES_URL, postgresUnavailableReason, randomSchema } from './backends.js'
import { firstToken, rotationOf } from './records.js'

const unavailable = await postgresUnavailableReason()
const title = `PostgreSQL schemas${unavailable ? ` (skipped: ${unavailable})` : ''}`

describe.skipIf(unavailable)(title, () => {
  // Mixed case, so that it only works when every use of it is quoted.
  const schema = `Tessera_Schema_${randomBytes(6).toString('hex')}`
  // A schema holding Tessera's tables too, where the search_path of the clients below leads.
  const decoy = randomSchema()
  const missing = `tessera_missing_${randomBytes(6).toString('hex')}`
  const clients: PrismaClient<'query'>[] = []

  function clientOn(searchPath: string) {
    const adapter = new PrismaPg(
      { connectionString: POSTGRES_URL, max: 4, options: `-c search_path=${searchPath}` },
      { schema },
    )
    const client = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] })
    const statements: string[] = []
    client.$on('query', (event) => statements.push(event.query))
    clients.push(client)
    return { client, statements }
  }

  async function migrate(name: string) {
    await adminQuery(`CREATE SCHEMA "${name}"`)
    const client = new PrismaClient({
      adapter: createPostgresAdapter(POSTGRES_URL, { schema: name }),
    })
    try {
      await applyMigrations(client)
    } finally {
      await client.$disconnect()
    }
  }

  async function countIn(name: string, familyId: string) {
    const { rows } = await adminQuery<{ count: number }>(
      `SELECT count(*)::int AS count FROM "${name}".tessera_refresh_token WHERE family_id = $1`,
      [familyId],
    )
    return rows[0]?.count
  }

  beforeAll(async () => {
    await migrate(schema)
    await migrate(decoy)
  })

  afterAll(async () => {
    for (const client of clients) await client.$disconnect()
    for (const name of [schema, decoy]) {
      await adminQuery(`DROP SCHEMA IF EXISTS "${name}" CASCADE`)
    }
  })

  describe('createPrismaStore', () => {
    it('rotates with one statement on the tables of its schema option', async () => {
      const { client, statements } = clientOn(missing)
      const { refreshTokenStore: store } = createPrismaStore({ client, schema })
      const now = new Date()
      const token = firstToken(now)
      await store.create(token)
      const request = rotationOf(token, now)

      await store.findById(token.id)
      statements.length = 0
      expect(await store.rotate(request)).toEqual({
        status: 'rotated',
        successor: request.successor,
      })
      expect(statements).toHaveLength(1)
      expect(await countIn(schema, token.familyId)).toBe(2)
      expect(await store.findById(token.id)).toMatchObject({ successorId: request.successor.id })
      expect((await store.rotate(rotationOf(token, now))).status).toBe('reused')
    })

    for (const [where, searchPath] of [
      ['no Tessera table', missing],
      ["another schema's Tessera tables", decoy],
    ] as const) {
      it(`rotates correctly without a schema option when the search_path leads to ${where}`, async () => {
        const { client } = clientOn(searchPath)
        const { refreshTokenStore: store } = createPrismaStore({ client })
        const now = new Date()
        const token = firstToken(now)
        await store.create(token)
        const request = rotationOf(token, now)

        expect(await store.rotate(request)).toEqual({
          status: 'rotated',
          successor: request.successor,
        })
        expect(await store.findById(request.successor.id)).toEqual(request.successor)
        expect(await countIn(schema, token.familyId)).toBe(2)
        expect(await countIn(decoy, token.familyId)).toBe(0)
        // The rotated token stays used: presenting it again is reuse, which revokes the family.
        expect((await store.rotate(rotationOf(token, now))).status).toBe('reused')
        expect(await store.findById(request.successor.id)).toMatchObject({ revokedAt: now })
      })
    }

    it('leaves no row behind from checking where its SQL statements lead', async () => {
      for (const name of [schema, decoy]) {
        const { rows } = await adminQuery<{ count: number }>(
          `SELECT count(*)::int AS count FROM "${name}".tessera_refresh_token
            WHERE id LIKE 'tessera-probe-%'`,
        )
        expect(rows[0]?.count).toBe(0)
      }
    })
  })

  describe('createPostgresAdapter', () => {
    it('keeps the case of a schema name in the search_path of raw SQL', async () => {
      const client = new PrismaClient({ adapter: createPostgresAdapter(POSTGRES_URL, { schema }) })
      clients.push(client as PrismaClient<'query'>)
      const rows = await client.$queryRawUnsafe<{ schema: string }[]>(
        'SELECT current_schema() AS schema',
      )
      expect(rows).toEqual([{ schema }])
    })
  })
})
