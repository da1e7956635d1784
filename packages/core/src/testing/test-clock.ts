/** A clock that stands still until told to move; see {@link createTestClock}. */
export interface TestClock {
  /** The current time; pass it as `clock` to `createTessera` and stores. */
  now: () => Date
  /** Moves the clock forward. */
  advance(ms: number): void
}

/**
 * Creates a clock for tests that moves only when asked, starting at the given time (by default
 * the current second, so that backends which expire entries on real time agree with it).
 *
 * @example
 * ```ts
 * import { createTestClock } from '@tessera/core/testing'
 *
 * const clock = createTestClock()
 * const tessera = createTessera({ ...options, clock: clock.now })
 * clock.advance(8 * 24 * 3600 * 1000)
 * ```
 */
export function createTestClock(start: Date = new Date(Math.floor(Date.now() / 1000) * 1000)) {
  let current = start.getTime()
  const clock: TestClock = {
    now: () => new Date(current),
    advance(ms) {
      if (!(ms >= 0)) throw new TypeError('a test clock only moves forward')
      current += ms
    },
  }
  return clock
}
