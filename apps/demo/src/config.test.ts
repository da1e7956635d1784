import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, quoteSchemaName } from './config.js'

function reason(env: Record<string, string>): string {
  try {
    loadConfig(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error('loadConfig accepted the configuration')
}

describe('loadConfig', () => {
  it('defaults to the embedded setup on 127.0.0.1:3000', () => {
    const config = loadConfig({})
    expect(config.host).toBe('127.0.0.1')
    expect(config.port).toBe(3000)
    expect(config.databaseUrl).toBeNull()
    expect(config.redisUrl).toBeNull()
    expect(config.dataDir).toMatch(/apps[\\/]demo[\\/]data$/)
    expect(config.allowedOrigins).toContain('http://127.0.0.1:3000')
  })

  it('reads services and limits from the environment', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test',
      REDIS_URL: 'redis://127.0.0.1:6379',
      CLEANUP_INTERVAL_SECONDS: '30',
      ADMIN_EMAILS: 'Root@Example.com, ops@example.com',
    })
    expect(config.databaseUrl).toContain('postgresql://')
    expect(config.redisUrl).toContain('redis://')
    expect(config.cleanupIntervalSeconds).toBe(30)
    expect(config.adminEmails).toEqual(['root@example.com', 'ops@example.com'])
  })

  it('trusts X-Forwarded-For only from the listed proxies', () => {
    expect(loadConfig({}).trustProxy).toBe(false)
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false)
    expect(
      loadConfig({ TRUST_PROXY: '10.0.0.2, 10.1.0.0/16,::1,fd00::/8,loopback' }).trustProxy,
    ).toEqual(['10.0.0.2', '10.1.0.0/16', '::1', 'fd00::/8', 'loopback'])
  })

  it.each([
    [{ PORT: 'abc' }, /^PORT must be an integer/],
    [{ PORT: '70000' }, /^PORT must be an integer/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
    [{ ADMIN_EMAILS: 'ops@example.com', NODE_ENV: 'production' }, /^ADMIN_EMAILS makes whoever/],
    [{ REDIS_URL: 'http://127.0.0.1:6379' }, /^REDIS_URL must start with redis:/],
    [{ CLEANUP_INTERVAL_SECONDS: '0' }, /^CLEANUP_INTERVAL_SECONDS must be/],
    [{ ALLOWED_ORIGINS: 'https://a.example/path' }, /^ALLOWED_ORIGINS entries must be/],
    [{ TRUST_PROXY: 'yes' }, /^TRUST_PROXY must be false or a comma-separated list/],
    [{ TRUST_PROXY: 'true' }, /^TRUST_PROXY=true would let any client pick its IP/],
    [{ TRUST_PROXY: '1' }, /^TRUST_PROXY must be false or a comma-separated list/],
    [{ TRUST_PROXY: '10.0.0.1, 10.0.0.0/33' }, /got "10.0.0.0\/33"/],
    [{ TRUST_PROXY: '10.0.0.1/8/8' }, /got "10.0.0.1\/8\/8"/],
  ])('stops with a one-line reason for %o', (env, message) => {
    const text = reason(env)
    expect(text).toMatch(message)
    expect(text).not.toContain('\n')
  })

  it('keeps ADMIN_EMAILS outside production and production without it', () => {
    expect(loadConfig({ ADMIN_EMAILS: 'ops@example.com' }).adminEmails).toEqual(['ops@example.com'])
    expect(loadConfig({ NODE_ENV: 'production' }).adminEmails).toEqual([])
    expect(loadConfig({ NODE_ENV: 'production', ADMIN_EMAILS: '' }).adminEmails).toEqual([])
  })

  it('reads a plain ?schema= from DATABASE_URL', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://postgres@db/test?schema=tessera_1' })
    expect(config.databaseSchema).toBe('tessera_1')
    expect(loadConfig({ DATABASE_URL: 'postgresql://postgres@db/test' }).databaseSchema).toBeNull()
  })

  it.each([
    'x" CASCADE; DROP SCHEMA public CASCADE; --',
    encodeURIComponent('x"; DROP TABLE "User"; --'),
    'a.b',
    '1abc',
    '',
    'a'.repeat(64),
  ])('refuses the schema name %j in DATABASE_URL before any SQL runs', (schema) => {
    const text = reason({ DATABASE_URL: `postgresql://postgres@db/test?schema=${schema}` })
    expect(text).toMatch(/^the schema parameter of DATABASE_URL must be a plain identifier/)
    expect(text).not.toContain('DROP')
  })

  it('never echoes a connection string, which may hold a password', () => {
    const text = reason({ DATABASE_URL: 'mysql://user:hunter2hunter2@db/app' })
    expect(text).toMatch(/^DATABASE_URL must start with postgres/)
    expect(text).not.toContain('hunter2')
    expect(reason({ DATABASE_URL: 'not a url hunter2' })).not.toContain('hunter2')
  })
})

describe('quoteSchemaName', () => {
  it('quotes a plain identifier', () => {
    expect(quoteSchemaName('Tessera_2')).toBe('"Tessera_2"')
  })

  it('throws for a name that could close the quotes', () => {
    expect(() => quoteSchemaName('x"; DROP SCHEMA public; --')).toThrow(ConfigError)
  })
})
