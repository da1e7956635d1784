import { runStoreContract } from '@tessera/core/testing'
import { afterAll, beforeAll } from 'vitest'
import { type Backend, startPglite } from './backends.js'
import { contractSetup } from './contract.js'

let backend: Backend

beforeAll(async () => {
  backend = await startPglite()
})

afterAll(async () => {
  await backend?.close()
})

runStoreContract(
  'prisma on PGlite',
  contractSetup(() => backend),
  { raceTimeoutMs: 60_000 },
)
