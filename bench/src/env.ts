/** Bench knobs, read once from the environment. */

/** `BENCH_QUICK=1`: short timings for development runs (numbers are indicative only). */
export const QUICK = process.env.BENCH_QUICK === '1'

/** `BENCH_ONLY=verify,rotation,http`: run only these sections (default: all). */
export const ONLY = new Set(
  (process.env.BENCH_ONLY ?? 'verify,rotation,http')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean),
)

/** `BENCH_ALGS=ES256,EdDSA`: algorithms to measure (default: all three). */
export const ALGS = (process.env.BENCH_ALGS ?? 'ES256,RS256,EdDSA')
  .split(',')
  .map((part) => part.trim())
  .filter((part): part is 'ES256' | 'RS256' | 'EdDSA' => ['ES256', 'RS256', 'EdDSA'].includes(part))

/** `BENCH_STORES=memory,pglite,postgres,redis`: rotation back ends (default: all four). */
export const STORES = new Set(
  (process.env.BENCH_STORES ?? 'memory,pglite,postgres,redis').split(',').map((s) => s.trim()),
)

/** PostgreSQL and Redis used by the rotation bench. */
export const DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test'
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'

/** `BENCH_OUT=path`: where the report goes (default: BENCHMARKS.md at the repository root). */
export const OUT = process.env.BENCH_OUT

/** CPU time mitata spends per micro-benchmark, all rounds together, in nanoseconds. */
export const MICRO_CPU_NS = QUICK ? 150e6 : 900e6

/** Interleaved rounds per micro-benchmark; the median round is reported. */
export const MICRO_ROUNDS = Number(process.env.BENCH_MICRO_ROUNDS ?? (QUICK ? 1 : 3))

/** Seconds each rotation measurement runs for one concurrency level. */
export const ROTATION_SECONDS = Number(process.env.BENCH_ROTATION_SECONDS ?? (QUICK ? 1 : 3))

/** Seconds autocannon loads each HTTP server. */
export const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? (QUICK ? 2 : 6))

/**
 * Interleaved load rounds per server (HTTP_SECONDS is split between them); rounds are averaged.
 * An even number, so that with the order reversed every other round each server of a pair
 * goes first as often as its twin. The demo and its @fastify/jwt twin differ only in the
 * verifier, a small share of each request: the report gives the spread of per-round ratios.
 */
export const HTTP_ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? (QUICK ? 2 : 4))

/** Concurrent HTTP connections autocannon keeps open. */
export const HTTP_CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 32)

/**
 * `BENCH_HTTP_SERVERS=demo,demo-fastify-jwt`: HTTP servers to load (default: all but the
 * opt-in minimal apps with a cache, `tessera-cache,fastify-jwt-cache`; see http/index.ts).
 */
export const HTTP_SERVERS = process.env.BENCH_HTTP_SERVERS
  ? new Set(process.env.BENCH_HTTP_SERVERS.split(',').map((s) => s.trim()))
  : null
