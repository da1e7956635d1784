import { StoreUnavailableError } from '@tessera/core'
import { afterAll, describe, expect, it } from 'vitest'
import { applyMigrations } from '../src/apply-migrations.js'
import { PrismaClient } from '../src/generated/prisma/client.js'
import { createPgliteAdapter } from '../src/pglite.js'
import { createPostgresAdapter } from '../src/postgres.js'
import { createPrismaStore } from '../src/prisma-store.js'
import { firstToken, rotationOf } from './records.js'

async function expectUnavailable(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => expect.fail('expected ERR_STORE_UNAVAILABLE, but the call succeeded'),
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(StoreUnavailableError)
  expect((error as StoreUnavailableError).code).toBe('ERR_STORE_UNAVAILABLE')
  expect((error as StoreUnavailableError).cause).toBeInstanceOf(Error)
}

describe('createPrismaStore', () => {
  // Port 1 on the loopback interface: nothing listens there, so connecting is refused.
  const refused = new PrismaClient({
    adapter: createPostgresAdapter('postgresql://postgres@127.0.0.1:1/test', {
      connectionTimeoutMs: 2_000,
    }),
  })

  afterAll(async () => {
    await refused.$disconnect()
  })

  it('reports a refused PostgreSQL connection as ERR_STORE_UNAVAILABLE on every method', async () => {
    const { refreshTokenStore, tokenVersionStore } = createPrismaStore({ client: refused })
    const now = new Date()
    const token = firstToken(now)

    await expectUnavailable(refreshTokenStore.create(token))
    await expectUnavailable(refreshTokenStore.findById(token.id))
    await expectUnavailable(refreshTokenStore.rotate(rotationOf(token, now)))
    await expectUnavailable(refreshTokenStore.revoke(token.id, now))
    await expectUnavailable(refreshTokenStore.revokeFamily(token.familyId, now))
    await expectUnavailable(refreshTokenStore.revokeUser(token.userId, now))
    await expectUnavailable(refreshTokenStore.deleteExpired(now))
    await expectUnavailable(tokenVersionStore.get('user-1'))
    await expectUnavailable(tokenVersionStore.bump('user-1'))
    await expectUnavailable(applyMigrations(refused))
  })

  it('reports a closed PGlite database as ERR_STORE_UNAVAILABLE', async () => {
    const { adapter, pglite } = await createPgliteAdapter()
    const client = new PrismaClient({ adapter })
    await applyMigrations(client)
    const { refreshTokenStore } = createPrismaStore({ client })
    const now = new Date()
    const token = firstToken(now)
    await refreshTokenStore.create(token)

    await pglite.close()

    await expectUnavailable(refreshTokenStore.rotate(rotationOf(token, now)))
    await expectUnavailable(refreshTokenStore.findById(token.id))
    await client.$disconnect()
  })
})
