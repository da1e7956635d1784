import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  adminQuery,
  POSTGRES_URL,
  postgresUnavailableReason,
  randomSchema,
} from '../test/backends.js'
import { at, firstToken, HOUR_MS, randomId, rotationOf } from '../test/records.js'
import { applyMigrations } from './apply-migrations.js'
import { PrismaClient } from './generated/prisma/client.js'
import { createPgliteAdapter } from './pglite.js'
import { createPostgresAdapter } from './postgres.js'
import { createPrismaRefreshTokenStore } from './refresh-token-store.js'

/** A client that records the SQL of every statement it sends. */
interface LoggedBackend {
  client: PrismaClient<'query'>
  statements: string[]
  close(): Promise<void>
}

function logged(client: PrismaClient<'query'>): string[] {
  const statements: string[] = []
  client.$on('query', (event) => statements.push(event.query))
  return statements
}

async function pgliteBackend(): Promise<LoggedBackend> {
  const { adapter, pglite } = await createPgliteAdapter()
  const client = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] })
  const statements = logged(client)
  await applyMigrations(client)
  return {
    client,
    statements,
    async close() {
      await client.$disconnect()
      await pglite.close()
    },
  }
}

async function postgresBackend(): Promise<LoggedBackend> {
  const schema = randomSchema()
  await adminQuery(`CREATE SCHEMA "${schema}"`)
  const client = new PrismaClient({
    adapter: createPostgresAdapter(POSTGRES_URL, { schema }),
    log: [{ emit: 'event', level: 'query' }],
  })
  const statements = logged(client)
  await applyMigrations(client)
  return {
    client,
    statements,
    async close() {
      await client.$disconnect()
      await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    },
  }
}

const postgresUnavailable = await postgresUnavailableReason()

const backends = [
  { name: 'PGlite', start: pgliteBackend, skip: null },
  { name: 'PostgreSQL', start: postgresBackend, skip: postgresUnavailable },
]

for (const { name, start, skip } of backends) {
  describe.skipIf(skip !== null)(`createPrismaRefreshTokenStore on ${name}`, () => {
    let backend: LoggedBackend

    beforeAll(async () => {
      backend = await start()
    })

    afterAll(async () => {
      await backend?.close()
    })

    // Statements `findById` sends for one id, in a stable order (they may run concurrently).
    async function statementsOf(id: string): Promise<string[]> {
      const store = createPrismaRefreshTokenStore(backend.client)
      // The first call on a client checks once where SQL statements lead; not measured here.
      await store.findById(randomId())
      backend.statements.length = 0
      await store.findById(id)
      // Query events are emitted after each statement completes, before the call resolves.
      return [...backend.statements].sort()
    }

    it('sends the same statements to findById for an unknown id as for a stored one', async () => {
      const store = createPrismaRefreshTokenStore(backend.client)
      const now = new Date()
      const stored = firstToken(now)
      await store.create(stored)
      const revoked = firstToken(now, { revokedAt: now, accessTokens: [] })
      await store.create(revoked)

      const known = await statementsOf(stored.id)
      const knownWithoutAccessTokens = await statementsOf(revoked.id)
      const unknown = await statementsOf(randomId())

      expect(known).toHaveLength(1)
      expect(unknown).toEqual(known)
      expect(knownWithoutAccessTokens).toEqual(known)
    })

    it('finds a stored record with its access tokens in issue order, and null for an unknown id', async () => {
      const store = createPrismaRefreshTokenStore(backend.client)
      const now = new Date()
      const accessTokens = [
        { jti: `b-${randomId()}`, expiresAt: new Date(now.getTime() + HOUR_MS) },
        { jti: `a-${randomId()}`, expiresAt: new Date(now.getTime() + 2 * HOUR_MS) },
      ]
      const stored = firstToken(now, { accessTokens })
      await store.create(stored)
      await store.create(firstToken(now))

      expect(await store.findById(stored.id)).toEqual(stored)
      expect(await store.findById(randomId())).toBeNull()
    })

    it('rotates a live unused token with one statement and returns the successor as stored', async () => {
      const store = createPrismaRefreshTokenStore(backend.client)
      const now = new Date()
      const token = firstToken(now)
      await store.create(token)
      const request = rotationOf(token, now)
      const later = { jti: request.accessToken.jti, expiresAt: at(now, HOUR_MS) }
      const other = { jti: randomId(), expiresAt: at(now, 2 * HOUR_MS) }
      // A repeated jti is stored once, with the first expiry given.
      request.successor.accessTokens = [request.accessToken, other, later]

      await store.findById(token.id)
      backend.statements.length = 0
      const outcome = await store.rotate(request)
      const statements = [...backend.statements]

      expect(statements).toHaveLength(1)
      const expected = { ...request.successor, accessTokens: [request.accessToken, other] }
      expect(outcome).toEqual({ status: 'rotated', successor: expected })
      expect(await store.findById(request.successor.id)).toEqual(expected)
      expect(await store.findById(token.id)).toEqual({
        ...token,
        usedAt: now,
        successorId: request.successor.id,
      })
    })

    it('rotates a successor without access tokens and leaves an expired token unchanged', async () => {
      const store = createPrismaRefreshTokenStore(backend.client)
      const now = new Date()
      const token = firstToken(now)
      await store.create(token)
      const request = rotationOf(token, now)
      request.successor.accessTokens = []

      expect(await store.rotate(request)).toEqual({
        status: 'rotated',
        successor: request.successor,
      })
      expect(await store.findById(request.successor.id)).toEqual(request.successor)

      const expiring = firstToken(now, { expiresAt: now })
      await store.create(expiring)
      const late = rotationOf(expiring, now)
      expect(await store.rotate(late)).toEqual({ status: 'invalid', reason: 'expired' })
      expect(await store.findById(expiring.id)).toEqual(expiring)
      expect(await store.findById(late.successor.id)).toBeNull()
    })
  })
}
