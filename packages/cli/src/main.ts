import { KeySetError } from '@tessera/core'
import { CommanderError } from 'commander'
import { CliError, type CliIo, processIo } from './io.js'
import { createProgram } from './program.js'

/** Exit codes: 0 success, 1 failure (such as a bad key file), 2 bad arguments. */
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? ''
}

/**
 * Runs the `tessera` CLI on `argv` (as in `process.argv`: node, script, then arguments) and
 * resolves to the exit code. Failures print one `error:` line on stderr, never a stack
 * trace. Without `io` it writes to the terminal and sets `process.exitCode`.
 *
 * @example
 * ```ts
 * import { main } from '@tessera/cli/main'
 *
 * const code = await main(['node', 'tessera', 'keys', 'jwks', '--dir', './keys'])
 * ```
 */
export async function main(argv: readonly string[], io?: CliIo): Promise<number> {
  const output = io ?? processIo
  const code = await run(argv, output)
  if (!io) process.exitCode = code
  return code
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await createProgram(io).parseAsync([...argv], { from: 'node' })
    return 0
  } catch (error) {
    // Commander has already printed its one-line reason (or the help or version text).
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE
    if (error instanceof CliError) {
      io.stderr(`error: ${firstLine(error.message)}\n`)
      return error.exitCode
    }
    // KeySetError messages name the file and the reason, never key material.
    const message = error instanceof Error ? error.message : String(error)
    const prefix = error instanceof KeySetError ? '' : 'unexpected '
    io.stderr(`${prefix}error: ${firstLine(message)}\n`)
    return EXIT_FAILURE
  }
}
