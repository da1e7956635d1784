import { describe, expect, it } from 'vitest'
import type { TokenPair } from '../types.js'
import {
  type ContractSetup,
  claimsOf,
  createFixtureFactory,
  expectCode,
  tokenIdOf,
} from './contract/fixture.js'
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

const LOGIN_RACE_TRIALS = 20

// How long the revocation starts after the login: backends differ in how many ticks a query
// takes (a single-connection PGlite queues them), so the trials spread over several offsets.
const PAUSES: (() => Promise<unknown>)[] = [
  () => Promise.resolve(),
  () => new Promise((resolve) => setImmediate(resolve)),
  () => new Promise((resolve) => setTimeout(resolve, 1)),
  () => new Promise((resolve) => setTimeout(resolve, 3)),
  () => new Promise((resolve) => setTimeout(resolve, 8)),
]

// A login (issueTokens) racing revokeAllUserTokens for the same user, on two instances when the
// store offers a second one. A login may survive only when it read the version after the bump
// (its access token carries the new `ver`): it then postdates the revocation. Every other
// login must have failed or be dead: its family revoked, its access token refused on checked
// routes. Some trials must hit the race, or the test proves nothing.
function loginRaceCases(fixture: ReturnType<typeof createFixtureFactory>, timeout: number) {
  describe('issueTokens racing revokeAllUserTokens', () => {
    it(`leaves no family of a login that predates the revocation usable, in ${LOGIN_RACE_TRIALS} trials`, {
      timeout,
    }, async () => {
      const { tessera, stores, events, secondInstance } = await fixture()
      const other = await secondInstance()
      let raced = 0
      for (let trial = 0; trial < LOGIN_RACE_TRIALS; trial++) {
        const userId = `login-race-${trial}`
        const [loginInstance, revoker] = trial % 2 === 0 ? [tessera, other] : [other, tessera]
        const login = () => loginInstance.issueTokens(userId)
        const revoke = () => revoker.revokeAllUserTokens(userId)
        const pause = PAUSES[Math.floor(trial / 2) % PAUSES.length]!
        const [outcome, revocation] = await Promise.allSettled([login(), pause().then(revoke)])

        expect(revocation.status).toBe('fulfilled')
        const version = await stores.tokenVersionStore.get(userId)
        let survivor: TokenPair | null = null
        if (outcome.status === 'rejected') {
          raced++
          expect((outcome.reason as { code?: unknown }).code).toBe('ERR_REFRESH_TOKEN_INVALID')
        } else {
          const pair = outcome.value as TokenPair
          const { ver } = claimsOf(pair.accessToken) as { ver?: number }
          if (ver === version) {
            survivor = pair
          } else {
            raced++
            await expectCode(tessera.refreshTokens(pair.refreshToken), 'ERR_REFRESH_TOKEN_INVALID')
            const refused = await tessera
              .verifyAccessToken(pair.accessToken, { checkRevocation: true })
              .then(
                () => null,
                (error: { code?: unknown }) => error.code,
              )
            expect(refused).toMatch(/^(ERR_ACCESS_TOKEN_DENIED|ERR_TOKEN_VERSION_STALE)$/)
          }
        }

        const started = events.flatMap((event) =>
          event.type === 'family.started' && event.userId === userId ? [event.familyId] : [],
        )
        expect(started).toHaveLength(1)
        for (const familyId of started) {
          if (survivor && tokenIdOf(survivor.refreshToken) === familyId) continue
          const record = await stores.refreshTokenStore.findById(familyId)
          expect(record?.revokedAt).toBeInstanceOf(Date)
        }
      }
      expect(raced).toBeGreaterThan(0)
    })
  })
}

/**
 * Registers the store contract suite with vitest: every rule of refresh rotation, reuse
 * detection, grace replay, device binding, revocation, expiry and cleanup, checked through
 * `createTessera` on top of the stores under test, plus direct cases for each store method and
 * the races (50 concurrent rotations, revoke interleaving with rotation, login interleaving with
 * revokeAllUserTokens).
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
    loginRaceCases(fixture, options.raceTimeoutMs ?? 30_000)
    storeLevelCases(fixture)
  })
}
