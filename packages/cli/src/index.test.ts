import { describe, expect, it } from 'vitest'
import * as cli from './index.js'

describe('@tessera/cli', () => {
  it('exports the runner, the program builder, the error class and the exit codes only', () => {
    expect(Object.keys(cli).sort()).toEqual([
      'CliError',
      'EXIT_FAILURE',
      'EXIT_USAGE',
      'createProgram',
      'main',
    ])
  })

  it('runs a command in-process with its own io and resolves to the exit code', async () => {
    let stdout = ''
    const io = {
      stdout: (text: string) => {
        stdout += text
      },
      stderr: () => {},
    }

    expect(await cli.main(['node', 'tessera', '--version'], io)).toBe(0)
    expect(stdout).toMatch(/^\d+\.\d+\.\d+/)
    expect(await cli.main(['node', 'tessera', 'no-such-command'], io)).toBe(cli.EXIT_USAGE)
  })
})
