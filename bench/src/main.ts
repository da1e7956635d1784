/**
 * `pnpm bench`: sign/verify micro-benchmarks, rotation throughput and authenticated HTTP, in
 * one run, written to BENCHMARKS.md at the repository root. Knobs: see env.ts (BENCH_QUICK=1
 * for a short development run, which writes bench/BENCHMARKS.quick.md instead).
 */
import { writeFile } from 'node:fs/promises'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import * as env from './env.js'
import { runHttpBench } from './http/index.js'
import { type Results, renderReport } from './report.js'
import { runRotationBench } from './rotation/index.js'
import { runVerifyBench } from './verify/index.js'

const log = (line: string) => console.log(line)
const startedAt = new Date()
const loadBefore = os.loadavg()[0] ?? 0
const samples: number[] = []
const sampler = setInterval(() => samples.push(os.loadavg()[0] ?? 0), 5_000)
sampler.unref()

const results: Results = {
  micro: env.ONLY.has('verify') ? await runVerifyBench(log) : null,
  rotation: env.ONLY.has('rotation') ? await runRotationBench(log) : null,
  http: env.ONLY.has('http') ? await runHttpBench(log) : null,
}
clearInterval(sampler)

const complete = ['verify', 'rotation', 'http'].every((part) => env.ONLY.has(part))
const fallback = env.QUICK || !complete ? '../BENCHMARKS.quick.md' : '../../BENCHMARKS.md'
const out = env.OUT ?? fileURLToPath(new URL(fallback, import.meta.url))
const seconds = (Date.now() - startedAt.getTime()) / 1000
const report = renderReport(
  results,
  {
    startedAt,
    seconds,
    quick: env.QUICK,
    command: env.QUICK ? 'BENCH_QUICK=1 pnpm bench' : 'pnpm bench',
    loadBefore,
    loadAfter: os.loadavg()[0] ?? 0,
    loadDuring: samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : loadBefore,
  },
  {
    MICRO_CPU_MS: String(env.MICRO_CPU_NS / 1e6),
    MICRO_ROUNDS: String(env.MICRO_ROUNDS),
    ROTATION_SECONDS: String(env.ROTATION_SECONDS),
    HTTP_SECONDS: String(env.HTTP_SECONDS),
    HTTP_ROUNDS: String(env.HTTP_ROUNDS),
    HTTP_CONNECTIONS: String(env.HTTP_CONNECTIONS),
  },
)
await writeFile(out, report)
log(`wrote ${out} in ${Math.round(seconds)} s`)
