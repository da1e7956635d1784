import { runStoreContract } from '@tessera/core/testing'
import { afterAll, beforeAll, describe } from 'vitest'
import { type Backend, postgresUnavailableReason, startPostgres } from './backends.js'
import { contractSetup } from './contract.js'

const unavailable = await postgresUnavailableReason()
let backend: Backend

describe.skipIf(unavailable)(`PostgreSQL${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  beforeAll(async () => {
    backend = await startPostgres()
  })

  afterAll(async () => {
    await backend?.close()
  })

  runStoreContract(
    'prisma on PostgreSQL',
    contractSetup(() => backend),
    { raceTimeoutMs: 60_000 },
  )
})
