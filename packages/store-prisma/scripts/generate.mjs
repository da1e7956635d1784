// Runs `prisma generate` without network access. The Prisma 7 CLI tries to download its schema
// engine before every command; generating a client never runs that engine, so any existing file
// satisfies the check. A user-provided PRISMA_SCHEMA_ENGINE_BINARY is left alone.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)
const prismaCli = require.resolve('prisma/build/index.js')
const env = { ...process.env }
env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(
  new URL('../prisma/schema.prisma', import.meta.url),
)
env.PRISMA_HIDE_UPDATE_MESSAGE ??= '1'

const result = spawnSync(process.execPath, [prismaCli, 'generate'], {
  cwd: packageDir,
  env,
  stdio: 'inherit',
})
process.exit(result.status ?? 1)
