/**
 * Authenticated GET /me under load: autocannon in this process, each server in a child
 * process, bounded in time (HTTP_SECONDS per server in HTTP_ROUNDS rounds, warm-ups apart).
 */
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { ALGS, HTTP_CONNECTIONS, HTTP_ROUNDS, HTTP_SECONDS, HTTP_SERVERS } from '../env.js'

/**
 * Servers loaded for each algorithm, in interleaving order. `twin` names the @fastify/jwt server
 * that a Tessera server is compared with: the same app with only the verifier swapped.
 */
export const SERVERS: { kind: string; label: string; twin?: string; optIn?: boolean }[] = [
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
  // Opt-in (BENCH_HTTP_SERVERS), to keep `pnpm bench` under 10 minutes: the verify tables
  // already compare the two caches.
  {
    kind: 'tessera-cache',
    label: 'minimal Fastify + Tessera, cache on',
    twin: 'fastify-jwt-cache',
    optIn: true,
  },
  { kind: 'fastify-jwt-cache', label: 'minimal Fastify + @fastify/jwt, cache on', optIn: true },
]

const selected = SERVERS.filter(({ kind, optIn }) =>
  HTTP_SERVERS ? HTTP_SERVERS.has(kind) : !optIn,
)

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

/** Unmeasured load on each server once started (JIT, connection pools). */
const WARM_UP_SECONDS = 0.5

/** Unmeasured load on a server right before each of its measured rounds. */
const LEAD_IN_SECONDS = 0.25

/** Requests per second over a whole run (exact for runs shorter than autocannon's samples). */
const perSecond = (r: autocannon.Result) => r.requests.total / r.duration

/** Lets start-up work finish (the demo prepares PGlite and a dummy password hash). */
const SETTLE_MS = 1000

/**
 * Starts `servers` one after another in that order and probes each with its token. A server
 * that cannot start (PostgreSQL down, say) is added to `failed` with the reason, not fatal.
 */
async function startAll(
  servers: typeof SERVERS,
  alg: string,
  failed: Map<string, string>,
): Promise<Map<string, Started>> {
  const running = new Map<string, Started>()
  for (const { kind } of servers) {
    if (failed.has(kind)) continue
    let started: Started | undefined
    try {
      started = await start(kind, alg)
      const url = `http://127.0.0.1:${started.port}/me`
      const probe = await fetch(url, { headers: { authorization: `Bearer ${started.token}` } })
      if (probe.status !== 200) throw new Error(`GET /me answered ${probe.status}`)
      running.set(kind, started)
    } catch (error) {
      if (started) await stop(started.child)
      failed.set(kind, (error as Error).message)
    }
  }
  return running
}

/**
 * For each algorithm, loads every server in interleaved rounds, every other round in reverse
 * order (a, b, c, c, b, a), each measured round preceded by a short unmeasured lead-in on the
 * same server, and averages the rounds, so that background load that comes and goes hits
 * every server alike. The rounds are run in two phases: the servers are started in the order
 * of SERVERS for the first half of the rounds, stopped, and started again in reverse order
 * for the second half, because in an A/A test (two identical demo apps) the server started
 * first served 5-10% fewer requests than the one started after it, and the reverse when
 * their start order was swapped.
 */
export async function runHttpBench(log: (line: string) => void): Promise<HttpResult[]> {
  const results: HttpResult[] = []
  const seconds = Math.max(1, HTTP_SECONDS / HTTP_ROUNDS)
  const firstHalf = Math.ceil(HTTP_ROUNDS / 2)
  for (const alg of ALGS) {
    const failed = new Map<string, string>()
    const rounds = new Map<string, autocannon.Result[]>()
    for (const phase of [0, 1]) {
      const [from, to] = phase === 0 ? [0, firstHalf] : [firstHalf, HTTP_ROUNDS]
      if (from === to) continue
      const running = await startAll(phase === 0 ? selected : [...selected].reverse(), alg, failed)
      try {
        // Loaded in the order of SERVERS whatever the start order: a server beside its twin.
        const ordered = selected.flatMap(({ kind }) => {
          const started = running.get(kind)
          return started ? [[kind, started] as const] : []
        })
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
        for (const [, { port, token }] of ordered) {
          await load(`http://127.0.0.1:${port}/me`, token, WARM_UP_SECONDS)
        }
        for (let round = from; round < to; round++) {
          const order = round % 2 === 0 ? ordered : [...ordered].reverse()
          for (const [kind, { port, token }] of order) {
            // Unmeasured lead-in, so that every measured round follows load on the same server
            // (in a, b, c, c, b, a the second c would otherwise follow itself, the others not).
            await load(`http://127.0.0.1:${port}/me`, token, LEAD_IN_SECONDS)
            const result = await load(`http://127.0.0.1:${port}/me`, token, seconds)
            rounds.set(kind, [...(rounds.get(kind) ?? []), result])
          }
        }
      } finally {
        await Promise.all([...running.values()].map(({ child }) => stop(child)))
      }
    }
    for (const [kind, reason] of failed) {
      // A server that failed in either phase is not reported at all: its rounds would not
      // pair up with its twin's.
      rounds.delete(kind)
      const label = SERVERS.find((server) => server.kind === kind)?.label ?? kind
      log(`http ${alg} ${label}: not measured (${reason})`)
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
        requestsPerSecond: mean(perSecond),
        p50Ms: mean((r) => r.latency.p50),
        p99Ms: mean((r) => r.latency.p99),
        non2xx: list.reduce((sum, r) => sum + r.non2xx, 0),
        errors: list.reduce((sum, r) => sum + r.errors, 0),
        rounds: list.map(perSecond),
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
  }
  return results
}
