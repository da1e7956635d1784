import { KeySetError } from '@tessera/core'
import { CommanderError } from 'commander'
import { CliError, type CliIo, processIo } from './io.js'
import { createProgram } from './program.js'

/**
 * Exit code of a failure: a bad key file, an unreadable input, or a finding (`scan` found a
 * forgery accepted). Success is 0.
 *
 * @example
 * ```ts
 * import { EXIT_FAILURE, main } from '@tessera/cli'
 *
 * if ((await main(['node', 'tessera', 'keys', 'jwks', '--dir', './keys'])) === EXIT_FAILURE) {
 *   console.error('no usable key set in ./keys')
 * }
 * ```
 */
export const EXIT_FAILURE = 1

/**
 * Exit code of a usage error: unknown command or option, bad argument value, or input the
 * command cannot work with (such as a token that is not a JWS).
 *
 * @example
 * ```ts
 * import { EXIT_USAGE, main } from '@tessera/cli'
 *
 * const code = await main(['node', 'tessera', 'keys', 'generate']) // --alg is missing
 * code === EXIT_USAGE // true
 * ```
 */
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
 * import { main } from '@tessera/cli'
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
