/** Closed-loop load: `clients` workers each run one operation after another until the deadline. */

export interface LoadResult {
  clients: number
  operations: number
  errors: number
  perSecond: number
  p50Ms: number
  p99Ms: number
}

function percentile(sorted: number[], q: number) {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))] as number
}

/**
 * Runs `clients` concurrent loops of `operation(worker)` for `seconds`; `prepare(worker)` is
 * awaited for every worker, then all loops warm up for up to one second, before the clock starts. Errors are counted, never thrown: a
 * rotation that fails is a bug the report must show, not a reason to stop the run.
 */
export async function closedLoop<W>(
  clients: number,
  seconds: number,
  prepare: (index: number) => Promise<W>,
  operation: (worker: W) => Promise<void>,
): Promise<LoadResult> {
  const workers: W[] = []
  for (let i = 0; i < clients; i++) workers.push(await prepare(i))
  // Warm-up, unmeasured: JIT, connection pools and the ORM's first compilation of each query.
  const warmUntil = performance.now() + Math.min(1000, seconds * 500)
  await Promise.all(
    workers.map(async (worker) => {
      while (performance.now() < warmUntil) await operation(worker)
    }),
  )
  const latencies: number[] = []
  let errors = 0
  const start = performance.now()
  const deadline = start + seconds * 1000
  await Promise.all(
    workers.map(async (worker) => {
      while (performance.now() < deadline) {
        const t0 = performance.now()
        try {
          await operation(worker)
          latencies.push(performance.now() - t0)
        } catch {
          errors++
          if (errors > 100) throw new Error('more than 100 failed operations; stopping this run')
        }
      }
    }),
  )
  const elapsed = (performance.now() - start) / 1000
  latencies.sort((a, b) => a - b)
  return {
    clients,
    operations: latencies.length,
    errors,
    perSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  }
}
