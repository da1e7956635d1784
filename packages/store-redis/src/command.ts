import { StoreUnavailableError } from '@tessera/core'

/** Rejection of {@link withTimeout} when the command did not settle in time. */
export class CommandTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`redis command did not answer within ${timeoutMs} ms`)
    this.name = 'CommandTimeoutError'
  }
}

/**
 * Races a Redis command against a timer. ioredis keeps commands in its offline queue while it
 * reconnects, so without this bound a call could wait for as long as the outage lasts. The
 * abandoned command may still run later; every caller is written so that this is harmless.
 */
export async function withTimeout<T>(command: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CommandTimeoutError(timeoutMs)), timeoutMs)
  })
  // The losing command must not surface as an unhandled rejection later.
  command.catch(() => {})
  try {
    return await Promise.race([command, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Runs one store operation under the timeout and maps every Redis failure (connection refused,
 * timeout, script error) to core's {@link StoreUnavailableError}, keeping the cause.
 */
export async function runCommand<T>(
  operation: () => Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  try {
    return await withTimeout(operation(), timeoutMs)
  } catch (error) {
    throw unavailable(error, what)
  }
}

/** Maps a Redis failure to core's {@link StoreUnavailableError}, keeping the cause. */
export function unavailable(error: unknown, what: string): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error
  return new StoreUnavailableError(`redis ${what} failed`, { cause: error })
}
