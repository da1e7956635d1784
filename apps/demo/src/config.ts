import { isIP } from 'node:net'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Everything the demo reads from its environment, validated once at start. */
export interface AppConfig {
  host: string
  port: number
  /** Folder for the PGlite database, the key set and the server secret. */
  dataDir: string
  /** PostgreSQL instead of the embedded PGlite database when set. */
  databaseUrl: string | null
  /** The `?schema=` parameter of `databaseUrl`, a plain identifier, or null without one. */
  databaseSchema: string | null
  /** Redis denylist instead of the in-process one when set. */
  redisUrl: string | null
  /** Prefix of the demo's Redis keys. */
  redisPrefix: string
  issuer: string
  audience: string
  /**
   * Emails that receive the `admin` role when they register. A demo convenience: addresses
   * are never verified, so whoever registers one first is admin. Refused with
   * `NODE_ENV=production`.
   */
  adminEmails: string[]
  /** Origins accepted on cookie routes in place of the `X-Requested-With` header. */
  allowedOrigins: string[]
  accessTokenTtlSeconds: number
  rotationGraceSeconds: number
  cleanupIntervalSeconds: number
  loginRateLimit: { perIp: number; perAccount: number; windowSeconds: number }
  refreshRateLimit: { perIp: number; windowSeconds: number }
  registerRateLimit: { perIp: number; windowSeconds: number }
  passwordRateLimit: { perIp: number; perUser: number; windowSeconds: number }
  logLevel: string
  /**
   * Addresses of the reverse proxies whose `X-Forwarded-For` is believed, or false to use the
   * socket address. Never `true`: that would let any client choose its IP for the rate limits.
   */
  trustProxy: false | string[]
}

/** A configuration value the demo cannot start with. The message is one line. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

type Env = Record<string, string | undefined>

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`)
  }
  return value
}

function url(env: Env, name: string, protocols: string[]): string | null {
  const raw = env[name]
  if (raw === undefined || raw === '') return null
  let parsed: URL
  try {
    parsed = new URL(raw)
  } catch {
    // The value is not echoed: connection strings may carry a password.
    throw new ConfigError(`${name} is not a valid URL`)
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`)
  }
  return raw
}

/**
 * `name` in double quotes for SQL, after checking that it is a plain identifier (letters,
 * digits, `_`, at most 63 bytes): nothing in it can close the quotes, and PostgreSQL would
 * silently truncate a longer name.
 *
 * @example
 * ```ts
 * await prisma.$executeRawUnsafe(`CREATE SCHEMA IF NOT EXISTS ${quoteSchemaName('tessera')}`)
 * ```
 */
export function quoteSchemaName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new ConfigError(
      'the schema parameter of DATABASE_URL must be a plain identifier (letters, digits, _)',
    )
  }
  return `"${name}"`
}

function databaseSchema(databaseUrl: string | null): string | null {
  if (databaseUrl === null) return null
  const schema = new URL(databaseUrl).searchParams.get('schema')
  if (schema === null) return null
  quoteSchemaName(schema)
  return schema
}

function list(env: Env, name: string, fallback: string[]): string[] {
  const raw = env[name]
  if (raw === undefined) return fallback
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
}

function redisPrefix(env: Env): string {
  const value = env.REDIS_PREFIX ?? 'tessera-demo:'
  if (!/^[A-Za-z0-9:_-]{1,64}$/.test(value)) {
    throw new ConfigError('REDIS_PREFIX must be 1-64 letters, digits, ":", "_" or "-"')
  }
  return value
}

// proxy-addr's names for the loopback, link-local and private ranges.
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal']

function isProxyAddress(value: string): boolean {
  if (PROXY_RANGES.includes(value)) return true
  const [address = '', prefix, ...rest] = value.split('/')
  const family = isIP(address)
  if (family === 0 || rest.length > 0) return false
  if (prefix === undefined) return true
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)
}

// Only named proxies are trusted. `true` believes X-Forwarded-For from anyone, so a client
// would get a fresh per-IP rate-limit budget per request; Fastify 5 ignores hop counts (it
// cannot check the peer), so a number would look configured while trusting nothing.
function trustProxy(env: Env): false | string[] {
  const raw = env.TRUST_PROXY?.trim() ?? ''
  if (raw === '' || raw === 'false') return false
  if (raw === 'true') {
    throw new ConfigError(
      'TRUST_PROXY=true would let any client pick its IP through X-Forwarded-For; ' +
        'list the proxy addresses instead (IPs, CIDRs or loopback)',
    )
  }
  const values = list(env, 'TRUST_PROXY', [])
  if (values.length === 0) return false
  const bad = values.find((value) => !isProxyAddress(value))
  if (bad !== undefined) {
    throw new ConfigError(
      `TRUST_PROXY must be false or a comma-separated list of proxy IPs, CIDRs, loopback, ` +
        `linklocal or uniquelocal, got "${bad}"`,
    )
  }
  return values
}

function origins(env: Env, fallback: string[]): string[] {
  const values = list(env, 'ALLOWED_ORIGINS', fallback)
  for (const value of values) {
    let origin: string | null = null
    try {
      origin = new URL(value).origin
    } catch {}
    if (origin !== value) {
      throw new ConfigError(`ALLOWED_ORIGINS entries must be origins like https://app.example.com`)
    }
  }
  return values
}

/**
 * Reads and validates the demo's configuration. Throws a {@link ConfigError} with a one-line
 * reason for the first bad value; secrets are never echoed.
 *
 * @example
 * ```ts
 * const config = loadConfig(process.env)
 * ```
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const host = env.HOST || '127.0.0.1'
  const port = integer(env, 'PORT', 3000, 0, 65535)
  const logLevel = env.LOG_LEVEL || 'info'
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`)
  }

  const publicUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  const issuer = env.ISSUER || publicUrl
  try {
    new URL(issuer)
  } catch {
    throw new ConfigError(`ISSUER must be a URL, got "${issuer}"`)
  }
  const adminEmails = list(env, 'ADMIN_EMAILS', []).map((email) => email.toLowerCase())
  for (const email of adminEmails) {
    if (!email.includes('@')) throw new ConfigError(`ADMIN_EMAILS holds "${email}", not an email`)
  }
  if (adminEmails.length > 0 && env.NODE_ENV === 'production') {
    throw new ConfigError(
      'ADMIN_EMAILS makes whoever registers a listed address first an admin (emails are not ' +
        'verified); it is refused with NODE_ENV=production',
    )
  }

  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:'])
  return {
    host,
    port,
    dataDir: resolve(env.DATA_DIR || resolve(APP_DIR, 'data')),
    databaseUrl,
    databaseSchema: databaseSchema(databaseUrl),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix: redisPrefix(env),
    issuer,
    audience: env.AUDIENCE || 'tessera-demo',
    adminEmails,
    allowedOrigins: origins(env, [publicUrl, `http://localhost:${port}`]),
    accessTokenTtlSeconds: integer(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 30, 86_400),
    rotationGraceSeconds: integer(env, 'ROTATION_GRACE_SECONDS', 5, 0, 60),
    cleanupIntervalSeconds: integer(env, 'CLEANUP_INTERVAL_SECONDS', 600, 1, 86_400),
    loginRateLimit: {
      perIp: integer(env, 'LOGIN_RATE_LIMIT_PER_IP', 20, 1, 100_000),
      perAccount: integer(env, 'LOGIN_RATE_LIMIT_PER_ACCOUNT', 5, 1, 100_000),
      windowSeconds: integer(env, 'LOGIN_RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
    },
    refreshRateLimit: {
      perIp: integer(env, 'REFRESH_RATE_LIMIT_PER_IP', 60, 1, 100_000),
      windowSeconds: integer(env, 'REFRESH_RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
    },
    registerRateLimit: {
      perIp: integer(env, 'REGISTER_RATE_LIMIT_PER_IP', 10, 1, 100_000),
      windowSeconds: integer(env, 'REGISTER_RATE_LIMIT_WINDOW_SECONDS', 600, 1, 86_400),
    },
    passwordRateLimit: {
      perIp: integer(env, 'PASSWORD_RATE_LIMIT_PER_IP', 20, 1, 100_000),
      perUser: integer(env, 'PASSWORD_RATE_LIMIT_PER_USER', 5, 1, 100_000),
      windowSeconds: integer(env, 'PASSWORD_RATE_LIMIT_WINDOW_SECONDS', 600, 1, 86_400),
    },
    logLevel,
    trustProxy: trustProxy(env),
  }
}
