import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const BIN = new URL('../bin/tessera.js', import.meta.url)
const dirs: string[] = []
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

/** A copy of the bin shim in a fresh package directory, with the given `dist/main.js` (if any). */
async function shim(distMain?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-bin-'))
  dirs.push(dir)
  await mkdir(join(dir, 'bin'))
  await writeFile(join(dir, 'package.json'), '{"type":"module"}')
  await copyFile(BIN, join(dir, 'bin', 'tessera.js'))
  if (distMain !== undefined) {
    await mkdir(join(dir, 'dist'))
    await writeFile(join(dir, 'dist', 'main.js'), distMain)
  }
  return join(dir, 'bin', 'tessera.js')
}

async function exec(file: string) {
  try {
    const { stdout, stderr } = await run(process.execPath, [file, '--help'])
    return { code: 0, stdout, stderr }
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string }
    return { code, stdout, stderr }
  }
}

describe('bin/tessera.js', () => {
  it('prints one line and exits with 1 before the first build', async () => {
    const result = await exec(await shim())
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'tessera: not built yet: run `pnpm build` first\n',
    })
  })

  it('lets a missing dependency of the build output propagate', async () => {
    const result = await exec(await shim("export { main } from './no-such-module.js'\n"))
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('ERR_MODULE_NOT_FOUND')
    expect(result.stderr).toContain('no-such-module.js')
    expect(result.stderr).not.toContain('not built yet')
  })

  it('runs main with the process arguments once built', async () => {
    const main = "export const main = (argv) => process.stdout.write(argv.slice(2).join(' '))\n"
    expect(await exec(await shim(main))).toEqual({ code: 0, stdout: '--help', stderr: '' })
  })
})
