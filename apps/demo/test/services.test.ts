import { randomBytes } from 'node:crypto'
import { createPostgresAdapter } from '@tessera/store-prisma/postgres'
import { Redis } from 'ioredis'
import { afterAll, describe } from 'vitest'
import { quoteSchemaName } from '../src/config.js'
import { PrismaClient } from '../src/generated/prisma/client.js'
import { flowSuite } from './flow.js'
import { services } from './harness.js'

const { databaseUrl, redisUrl, skipReason } = await services()
const schema = `demo_test_${randomBytes(6).toString('hex')}`
const prefix = `tessera-demo-test-${randomBytes(6).toString('hex')}:`

function withSchema(url: string) {
  const parsed = new URL(url)
  parsed.searchParams.set('schema', schema)
  return parsed.toString()
}

describe.skipIf(skipReason !== null)(
  `demo flow on PostgreSQL + Redis${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    afterAll(async () => {
      const prisma = new PrismaClient({ adapter: createPostgresAdapter(databaseUrl) })
      await prisma.$executeRawUnsafe(`DROP SCHEMA IF EXISTS ${quoteSchemaName(schema)} CASCADE`)
      await prisma.$disconnect()

      const redis = new Redis(redisUrl)
      const keys = await redis.keys(`${prefix}*`)
      if (keys.length) await redis.del(...keys)
      await redis.quit()
    })

    flowSuite(() => ({
      DATABASE_URL: withSchema(databaseUrl),
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
    }))
  },
)
