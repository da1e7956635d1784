import { StoreUnavailableError } from '@tessera/core'

// Prisma codes that mean the database could not be reached or the connection was lost:
// P1001 unreachable, P1002 timed out, P1008 operation timed out, P1017 server closed the
// connection, P2024 pool timeout, P2028 transaction API error (closed or expired transaction).
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028'])

// Node socket errors.
const UNAVAILABLE_SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
])

// Driver adapter error kinds (`@prisma/driver-adapter-utils`) for a lost or refused connection.
const UNAVAILABLE_ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'DatabaseDoesNotExist',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TransactionAlreadyClosed',
])

// PostgreSQL SQLSTATEs: class 08 (connection exception), 57P01-57P03 (shutdown, terminated).
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3])$/

const UNAVAILABLE_MESSAGES = [
  'connection terminated',
  'connection error',
  'not queryable',
  'pglite is closed',
  "can't reach database server",
  'server has closed the connection',
]

// SQLSTATE 40P01 (deadlock) and 40001 (serialization failure), P2034 in Prisma's words.
const RETRYABLE_SQLSTATE = new Set(['40P01', '40001'])

function* causes(error: unknown): Generator<Record<string, unknown>> {
  const seen = new Set<unknown>()
  let current: unknown = error
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current)
    const record = current as Record<string, unknown>
    yield record
    const meta = record.meta as Record<string, unknown> | undefined
    const adapterError = meta?.driverAdapterError
    current = adapterError ?? record.cause
  }
}

/** True when the error (or one of its causes) says the database is unreachable. */
export function isUnavailable(error: unknown): boolean {
  for (const item of causes(error)) {
    if (item.name === 'PrismaClientInitializationError') return true

    const code = typeof item.code === 'string' ? item.code : undefined
    if (code && (UNAVAILABLE_PRISMA_CODES.has(code) || UNAVAILABLE_SYSTEM_CODES.has(code))) {
      return true
    }
    if (code && UNAVAILABLE_SQLSTATE.test(code)) return true
    if (typeof item.kind === 'string' && UNAVAILABLE_ADAPTER_KINDS.has(item.kind)) return true
    if (item.kind === 'postgres' && typeof item.code === 'string') {
      if (UNAVAILABLE_SQLSTATE.test(item.code)) return true
    }

    const message = typeof item.message === 'string' ? item.message.toLowerCase() : ''
    if (UNAVAILABLE_MESSAGES.some((text) => message.includes(text))) return true
  }
  return false
}

/** True for a deadlock or serialization failure, after which the transaction can be retried. */
export function isRetryable(error: unknown): boolean {
  for (const item of causes(error)) {
    if (item.code === 'P2034') return true
    if (typeof item.code === 'string' && RETRYABLE_SQLSTATE.has(item.code)) return true
    if (typeof item.originalCode === 'string' && RETRYABLE_SQLSTATE.has(item.originalCode)) {
      return true
    }
  }
  return false
}

// SQLSTATE 42P01: the statement names a table that does not exist (on the search_path).
const UNDEFINED_TABLE_SQLSTATE = '42P01'

/** True when the error (or one of its causes) says a table of the statement does not exist. */
export function isUndefinedTable(error: unknown): boolean {
  for (const item of causes(error)) {
    if (item.kind === 'TableDoesNotExist') return true
    if (item.code === UNDEFINED_TABLE_SQLSTATE || item.originalCode === UNDEFINED_TABLE_SQLSTATE) {
      return true
    }
  }
  return false
}

/**
 * Runs a store operation, turning connection failures into {@link StoreUnavailableError}
 * (with the original error as `cause`) and retrying deadlocks a few times.
 */
export async function guard<T>(operation: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation()
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error
      if (isUnavailable(error)) {
        throw new StoreUnavailableError('token store is unavailable', { cause: error })
      }
      if (attempt < attempts && isRetryable(error)) continue
      throw error
    }
  }
}
