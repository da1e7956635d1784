/**
 * Authenticated GET /me under load: autocannon in this process, each server in a child
 * process, bounded in time (HTTP_SECONDS per server, one second of warm-up first).
 */
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { ALGS, HTTP_CONNECTIONS, HTTP_ROUNDS, HTTP_SECONDS, HTTP_SERVERS } from '../env.js'

/**
 * Servers loaded for each algorithm, in interleaving order. `twin` names the @fastify/jwt server
 * that a Tessera server is compared with: the same app with only the verifier swapped.
 */
export const SERVERS: { kind: string; label: string; twin?: string }[] = [
  { kind: 'demo', label: 'demo app on PGlite, Tessera', twin: 'demo-fastify-jwt' },
  { kind: 'demo-fastify-jwt', label: 'demo app on PGlite, @fastify/jwt' },
  {
    kind: 'demo-postgres',
    label: 'demo app on PostgreSQL, Tessera',
    twin: 'demo-postgres-fastify-jwt',
  },
  { kind: 'demo-postgres-fastify-jwt', label: 'demo app on PostgreSQL, @fastify/jwt' },
  { kind: 'tessera', label: 'minimal Fastify + Tessera', twin: 'fastify-jwt' },
  { kind: 'fastify-jwt', label: 'minimal Fastify + @fastify/jwt' },
  {
    kind: 'tessera-cache',
    label: 'minimal Fastify + Tessera, cache on',
    twin: 'fastify-jwt-cache',
  },
  { kind: 'fastify-jwt-cache', label: 'minimal Fastify + @fastify/jwt, cache on' },
]

const selected = SERVERS.filter(({ kind }) => !HTTP_SERVERS || HTTP_SERVERS.has(kind))

export interface HttpResult {
  alg: string
  kind: string
  label: string
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  non2xx: number
  errors: number
  /** Requests per second of each round, in order (rounds of all servers are interleaved). */
  rounds: number[]
}

const NOT_MEASURED = {
  requestsPerSecond: Number.NaN,
  p50Ms: Number.NaN,
  p99Ms: Number.NaN,
  non2xx: 0,
  errors: 0,
  rounds: [],
}

const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url))

function start(kind: string, alg: string) {
  const child = fork(SERVER, [kind, alg], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  return new Promise<{ child: ChildProcess; port: number; token: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} did not start in 60 s`)), 60_000)
    child.once('message', (message: { port: number; token: string }) => {
      clearTimeout(timer)
      resolve({ child, ...message })
    })
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)))
  })
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.send('stop')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
  await exited
  clearTimeout(timer)
}

function load(url: string, token: string, seconds: number) {
  return autocannon({
    url,
    connections: HTTP_CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
  })
}

type Started = Awaited<ReturnType<typeof start>>

/**
 * For each algorithm, starts every server first, then loads them in interleaved rounds
 * (a, b, c, c, b, a) and averages the rounds, so that background load that comes and goes
 * hits every server alike.
 */
export async function runHttpBench(log: (line: string) => void): Promise<HttpResult[]> {
  const results: HttpResult[] = []
  const seconds = Math.max(1, Math.round(HTTP_SECONDS / HTTP_ROUNDS))
  for (const alg of ALGS) {
    const running = new Map<string, Started>()
    try {
      for (const { kind, label } of selected) {
        try {
          const started = await start(kind, alg)
          const url = `http://127.0.0.1:${started.port}/me`
          const probe = await fetch(url, { headers: { authorization: `Bearer ${started.token}` } })
          if (probe.status !== 200) throw new Error(`GET /me answered ${probe.status}`)
          running.set(kind, started)
        } catch (error) {
          // A server that cannot start (PostgreSQL down, say) is reported, not fatal.
          log(`http ${alg} ${label}: not measured (${(error as Error).message})`)
        }
      }
      // Let start-up work finish (the demo prepares PGlite and a dummy password hash), then
      // warm every server up, unmeasured.
      await new Promise((resolve) => setTimeout(resolve, 2000))
      for (const { port, token } of running.values()) {
        await load(`http://127.0.0.1:${port}/me`, token, 1)
      }
      const rounds = new Map<string, autocannon.Result[]>()
      for (let round = 0; round < HTTP_ROUNDS; round++) {
        // Every other round in reverse order (a, b, c, c, b, a, ...): a server and its twin,
        // next to each other in SERVERS, take turns going first.
        const order = round % 2 === 0 ? [...running] : [...running].reverse()
        for (const [kind, { port, token }] of order) {
          const result = await load(`http://127.0.0.1:${port}/me`, token, seconds)
          rounds.set(kind, [...(rounds.get(kind) ?? []), result])
        }
      }
      for (const { kind, label } of selected) {
        const list = rounds.get(kind)
        if (!list) {
          results.push({ alg, kind, label, ...NOT_MEASURED })
          continue
        }
        const mean = (pick: (r: autocannon.Result) => number) =>
          list.reduce((sum, r) => sum + pick(r), 0) / list.length
        const entry = {
          alg,
          kind,
          label,
          requestsPerSecond: mean((r) => r.requests.average),
          p50Ms: mean((r) => r.latency.p50),
          p99Ms: mean((r) => r.latency.p99),
          non2xx: list.reduce((sum, r) => sum + r.non2xx, 0),
          errors: list.reduce((sum, r) => sum + r.errors, 0),
          rounds: list.map((r) => r.requests.average),
        }
        results.push(entry)
        log(
          `http ${alg} ${label}: ${Math.round(entry.requestsPerSecond)} req/s` +
            ` p50 ${entry.p50Ms.toFixed(1)} ms p99 ${entry.p99Ms.toFixed(1)} ms` +
            (entry.non2xx || entry.errors
              ? ` (${entry.non2xx} non-2xx, ${entry.errors} errors)`
              : ''),
        )
      }
    } finally {
      for (const { child } of running.values()) await stop(child)
    }
  }
  return results
}
