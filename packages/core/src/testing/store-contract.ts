import { describe } from 'vitest'
import { type ContractSetup, createFixtureFactory } from './contract/fixture.js'
import { raceCases } from './contract/races.js'
import { revocationCases } from './contract/revocation.js'
import { rotationCases } from './contract/rotation.js'
import { storeLevelCases } from './contract/store-level.js'

export type {
  ContractSetup,
  ContractSetupContext,
  ContractSetupResult,
  ContractStores,
} from './contract/fixture.js'

/** Options of {@link runStoreContract}. */
export interface StoreContractOptions {
  /**
   * Timeout of each race test (50 concurrent rotations against a real backend).
   * @default 30000
   */
  raceTimeoutMs?: number
}

/**
 * Registers the store contract suite with vitest: every rule of refresh rotation, reuse
 * detection, grace replay, device binding, revocation, expiry and cleanup, checked through
 * `createTessera` on top of the stores under test, plus direct cases for each store method and
 * the races (50 concurrent rotations, revoke interleaving with rotation).
 *
 * `setup` runs before every test and must return stores on an empty backend (truncate the
 * tables, flush the key prefix). Stores that accept a clock should use `context.clock`; the
 * suite only moves it forward from the current second. When `reconnect` is returned, the races
 * split their calls across the two sets of stores, as two app instances would.
 *
 * @example
 * ```ts
 * // packages/store-prisma/src/prisma-store.contract.test.ts
 * import { runStoreContract } from '@tessera/core/testing'
 *
 * runStoreContract('prisma', async () => {
 *   const prisma = await freshDatabase()
 *   return { ...createPrismaStores(prisma), teardown: () => prisma.$disconnect() }
 * })
 * ```
 */
export function runStoreContract(
  name: string,
  setup: ContractSetup,
  options: StoreContractOptions = {},
): void {
  const fixture = createFixtureFactory(setup)
  describe(`store contract: ${name}`, () => {
    rotationCases(fixture)
    revocationCases(fixture)
    raceCases(fixture, options.raceTimeoutMs ?? 30_000)
    storeLevelCases(fixture)
  })
}
