import type { Cluster, Redis } from 'ioredis'

/** A connected ioredis client: a single node (`Redis`) or a `Cluster`. */
export type RedisClient = Redis | Cluster

/** What the Redis denylist does when Redis cannot answer `has` in time. */
export type UnavailablePolicy = 'fail-closed' | 'fail-open'

/** Options shared by every Redis store. */
export interface RedisStoreOptions {
  /**
   * The ioredis client, created and owned by the caller (never constructed or closed here).
   * See the package README for the client settings that keep outages short.
   */
  client: RedisClient
  /**
   * Prefix of every key, so that several apps can share one Redis. Must not contain `{` or
   * `}`: the stores place their own hash tags.
   * @default 'tessera:'
   */
  prefix?: string
  /**
   * Upper bound for one store operation. A command still waiting when it elapses (for example
   * in ioredis' offline queue while reconnecting) is abandoned and the operation fails.
   * @default 1000
   */
  commandTimeoutMs?: number
}

export const DEFAULT_PREFIX = 'tessera:'
export const DEFAULT_COMMAND_TIMEOUT_MS = 1000

/** Options with defaults applied and validated once. */
export interface ResolvedStoreOptions {
  client: RedisClient
  prefix: string
  commandTimeoutMs: number
}

export function resolveStoreOptions(options: RedisStoreOptions): ResolvedStoreOptions {
  if (!options || typeof options.client?.status !== 'string') {
    throw new TypeError('`client` must be an ioredis Redis or Cluster instance')
  }
  const prefix = options.prefix ?? DEFAULT_PREFIX
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
    throw new TypeError('`prefix` must be a string without `{` or `}`')
  }
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS
  if (!Number.isFinite(commandTimeoutMs) || commandTimeoutMs <= 0) {
    throw new TypeError('`commandTimeoutMs` must be a positive number')
  }
  return { client: options.client, prefix, commandTimeoutMs }
}
