/**
 * Authenticated GET /me under load: autocannon in this process, each server in a child
 * process, bounded in time (HTTP_SECONDS per server, one second of warm-up first).
 */
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { ALGS, HTTP_CONNECTIONS, HTTP_SECONDS } from '../env.js'

export const SERVERS: { kind: string; label: string }[] = [
  { kind: 'fastify-jwt', label: 'minimal Fastify + @fastify/jwt' },
  { kind: 'fastify-jwt-cache', label: 'minimal Fastify + @fastify/jwt, cache on' },
  { kind: 'tessera', label: 'minimal Fastify + Tessera' },
  { kind: 'tessera-cache', label: 'minimal Fastify + Tessera, cache on' },
  { kind: 'demo', label: 'demo app on PGlite (helmet, pino, user lookup)' },
  { kind: 'demo-postgres', label: 'demo app on PostgreSQL (helmet, pino, user lookup)' },
]

export interface HttpResult {
  alg: string
  kind: string
  label: string
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  non2xx: number
  errors: number
}

const NOT_MEASURED = {
  requestsPerSecond: Number.NaN,
  p50Ms: Number.NaN,
  p99Ms: Number.NaN,
  non2xx: 0,
  errors: 0,
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

export async function runHttpBench(log: (line: string) => void): Promise<HttpResult[]> {
  const results: HttpResult[] = []
  for (const alg of ALGS) {
    for (const { kind, label } of SERVERS) {
      let started: Awaited<ReturnType<typeof start>>
      try {
        started = await start(kind, alg)
      } catch (error) {
        // A server that cannot start (PostgreSQL down, say) is reported, not fatal.
        log(`http ${alg} ${label}: not measured (${(error as Error).message})`)
        results.push({ alg, kind, label, ...NOT_MEASURED })
        continue
      }
      const { child, port, token } = started
      try {
        const url = `http://127.0.0.1:${port}/me`
        const probe = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
        if (probe.status !== 200)
          throw new Error(`${kind} ${alg}: GET /me answered ${probe.status}`)
        await load(url, token, 1)
        const result = await load(url, token, HTTP_SECONDS)
        const entry = {
          alg,
          kind,
          label,
          requestsPerSecond: result.requests.average,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          non2xx: result.non2xx,
          errors: result.errors,
        }
        results.push(entry)
        log(
          `http ${alg} ${label}: ${Math.round(entry.requestsPerSecond)} req/s` +
            ` p50 ${entry.p50Ms} ms p99 ${entry.p99Ms} ms` +
            (entry.non2xx || entry.errors
              ? ` (${entry.non2xx} non-2xx, ${entry.errors} errors)`
              : ''),
        )
      } finally {
        await stop(child)
      }
    }
  }
  return results
}
