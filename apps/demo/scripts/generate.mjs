// Generates the demo's Prisma client into src/generated/ (git-ignored). The Prisma 7 CLI wants
// to download its schema engine first, which fails offline, although `generate` never runs that
// engine: pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips the download.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const appDir = fileURLToPath(new URL('..', import.meta.url))
const cli = createRequire(import.meta.url).resolve('prisma/build/index.js')
const env = {
  PRISMA_SCHEMA_ENGINE_BINARY: fileURLToPath(new URL('../prisma/schema.prisma', import.meta.url)),
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  ...process.env,
}
const run = spawnSync(process.execPath, [cli, 'generate', '--schema', 'prisma/schema.prisma'], {
  cwd: appDir,
  env,
  stdio: 'inherit',
})
process.exit(run.status ?? 1)
