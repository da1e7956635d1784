import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import type { AppContext } from '../src/context.js'
import { createRuntime } from '../src/runtime.js'

/** A running demo on a random port, with its log lines captured. */
export interface RunningDemo {
  url: string
  app: FastifyInstance
  context: AppContext
  dataDir: string
  /** Every log line written so far, raw. */
  logs: string[]
  close(): Promise<void>
}

/**
 * Starts the demo over real HTTP on 127.0.0.1 and a free port. `env` holds the same variables
 * as the real server reads; DATA_DIR defaults to a fresh temporary folder removed on close.
 */
export async function startDemo(env: Record<string, string> = {}): Promise<RunningDemo> {
  const ownDataDir = env.DATA_DIR ? null : await mkdtemp(join(tmpdir(), 'tessera-demo-'))
  const dataDir = env.DATA_DIR ?? ownDataDir!
  const logs: string[] = []
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean))
      done()
    },
  })

  const config = loadConfig({ LOG_LEVEL: 'info', ...env, DATA_DIR: dataDir, PORT: '0' })
  const context = await createRuntime(config)
  const app = await buildApp(context, { logStream })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }

  return {
    url: `http://127.0.0.1:${port}`,
    app,
    context,
    dataDir,
    logs,
    close: async () => {
      await app.close()
      if (ownDataDir) await rm(ownDataDir, { recursive: true, force: true })
    },
  }
}

interface RequestOptions {
  body?: unknown
  /** Raw body, sent as is with the given content type. */
  raw?: { body: string; type: string }
  token?: string
  headers?: Record<string, string>
}

/** What a {@link Client} request returns. */
export interface Reply {
  status: number
  headers: Headers
  /** Raw `Set-Cookie` lines. */
  setCookies: string[]
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected freely in tests
  body: any
}

/** A fetch client with a cookie jar, like a browser tab or `curl -b/-c`. */
export class Client {
  readonly cookies = new Map<string, string>()

  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers }
    if (options.token) headers.authorization = `Bearer ${options.token}`
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    }
    let body: string | undefined
    if (options.raw) {
      body = options.raw.body
      headers['content-type'] = options.raw.type
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body)
      headers['content-type'] = 'application/json'
    }

    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body })
    const setCookies = response.headers.getSetCookie()
    for (const line of setCookies) this.store(line)
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {}
    return { status: response.status, headers: response.headers, setCookies, body: parsed }
  }

  /** Refresh as the app's own page would: with the custom header. */
  refresh(headers: Record<string, string> = { 'x-requested-with': 'fetch' }) {
    return this.request('POST', '/auth/refresh', { headers })
  }

  private store(line: string) {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim())
    const index = pair.indexOf('=')
    const name = pair.slice(0, index)
    const value = pair.slice(index + 1)
    const expired = attributes.some(
      (attribute) =>
        /^max-age=0$/i.test(attribute) ||
        (/^expires=/i.test(attribute) && Date.parse(attribute.slice(8)) <= Date.now()),
    )
    if (expired || value === '') this.cookies.delete(name)
    else this.cookies.set(name, value)
  }
}

/** A unique test email. */
export function email(name: string): string {
  return `${name}-${randomBytes(4).toString('hex')}@example.com`
}

async function reachable(url: string, fallbackPort: number): Promise<boolean> {
  const parsed = new URL(url)
  return new Promise((resolve) => {
    const socket = new Socket()
    socket.setTimeout(1000)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
    socket.connect(Number(parsed.port || fallbackPort), parsed.hostname || '127.0.0.1')
  })
}

/** PostgreSQL and Redis for the service tests, or why they are skipped. */
export async function services() {
  const databaseUrl = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/test'
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379'
  const missing: string[] = []
  if (!(await reachable(databaseUrl, 5432))) missing.push('PostgreSQL')
  if (!(await reachable(redisUrl, 6379))) missing.push('Redis')

  const skipReason = missing.length ? `${missing.join(' and ')} unreachable` : null
  if (skipReason && process.env.TESSERA_REQUIRE_SERVICES === '1') {
    throw new Error(`${skipReason} but TESSERA_REQUIRE_SERVICES=1`)
  }
  return { databaseUrl, redisUrl, skipReason }
}
