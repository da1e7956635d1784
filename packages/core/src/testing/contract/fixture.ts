import { decodeJwt } from 'jose'
import { expect, onTestFinished } from 'vitest'
import { generateKey } from '../../keys/generate.js'
import { createTessera, type Tessera } from '../../tessera.js'
import type {
  Denylist,
  KeySet,
  RefreshTokenStore,
  TesseraEvent,
  TesseraOptions,
  TokenVersionStore,
} from '../../types.js'
import { createTestClock, type TestClock } from '../test-clock.js'

/** One app instance's view of the backend under test. */
export interface ContractStores {
  refreshTokenStore: RefreshTokenStore
  denylist: Denylist
  tokenVersionStore: TokenVersionStore
  /** Closes what this set opened (clients, connections). */
  teardown?: () => Promise<void> | void
}

/** What a store package's `setup` returns for each test. */
export interface ContractSetupResult extends ContractStores {
  /**
   * Another set of stores on the same backend, as a second app instance would open it (a second
   * PrismaClient, a second Redis connection). When given, races run across both instances.
   */
  reconnect?: () => Promise<ContractStores>
}

/** Handed to `setup`: stores that can take a clock should use this one. */
export interface ContractSetupContext {
  /** The test's clock; it starts at the current second and only moves forward. */
  clock: () => Date
}

export type ContractSetup = (context: ContractSetupContext) => Promise<ContractSetupResult>

export const SECRET = 'contract-suite-secret-0123456789abcdef'
export const ISSUER = 'https://auth.example.test'
export const AUDIENCE = 'https://api.example.test'
export const DAY_MS = 24 * 3600 * 1000

let keys: Promise<KeySet> | undefined

function keySet(): Promise<KeySet> {
  keys ??= generateKey('ES256').then((key) => ({ keys: [key] }))
  return keys
}

/** Everything one contract test works with. */
export interface Fixture {
  clock: TestClock
  stores: ContractSetupResult
  tessera: Tessera
  events: TesseraEvent[]
  /** A Tessera on a second instance's stores, or on the same stores without `reconnect`. */
  secondInstance(): Promise<Tessera>
}

export type FixtureOptions = Partial<Omit<TesseraOptions, 'keys' | 'clock' | 'onEvent'>>

export function createFixtureFactory(setup: ContractSetup) {
  return async function fixture(options: FixtureOptions = {}): Promise<Fixture> {
    const clock = createTestClock()
    const stores = await setup({ clock: clock.now })
    onTestFinished(async () => {
      await stores.teardown?.()
    })
    const events: TesseraEvent[] = []
    const resolvedKeys = await keySet()
    const build = (set: ContractStores) =>
      createTessera({
        keys: resolvedKeys,
        issuer: ISSUER,
        audience: AUDIENCE,
        secret: SECRET,
        rotationGraceSeconds: 0,
        refreshTokenStore: set.refreshTokenStore,
        denylist: set.denylist,
        tokenVersionStore: set.tokenVersionStore,
        clock: clock.now,
        onEvent: (event) => events.push(event),
        ...options,
      })
    const tessera = build(stores)

    return {
      clock,
      stores,
      tessera,
      events,
      async secondInstance() {
        if (!stores.reconnect) return tessera
        const other = await stores.reconnect()
        onTestFinished(async () => {
          await other.teardown?.()
        })
        return build(other)
      },
    }
  }
}

/** The id part of `<id>.<secret>`. */
export function tokenIdOf(refreshToken: string): string {
  return refreshToken.split('.')[0] ?? ''
}

/** The claims of an access token, read without verification (tests only). */
export function claimsOf(accessToken: string) {
  return decodeJwt(accessToken) as { jti: string; exp: number; sub: string; role?: string }
}

/**
 * Awaits a promise that must reject with a Tessera error of the given code. A promise that
 * resolves fails the test without printing its value, which would hold tokens.
 */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const outcome = await promise.then(
    () => ({ resolved: true as const }),
    (error: unknown) => ({ resolved: false as const, error }),
  )
  if (outcome.resolved) expect.fail(`expected a rejection with ${code}, but the call succeeded`)
  expect((outcome.error as { code?: unknown }).code).toBe(code)
}
