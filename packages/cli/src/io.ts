/**
 * Where the CLI writes; pass your own to `main` or `createProgram` to run in-process
 * and capture the output.
 *
 * @example
 * ```ts
 * import { type CliIo, main } from '@tessera/cli'
 *
 * let out = ''
 * const io: CliIo = { stdout: (text) => void (out += text), stderr: () => {} }
 * await main(['node', 'tessera', 'keys', 'jwks', '--dir', './keys'], io)
 * const jwks = JSON.parse(out)
 * ```
 */
export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
}

/**
 * An expected failure of a command: `main` prints its message as one `error:` line (no stack
 * trace) and exits with its `exitCode`, 1 unless told otherwise.
 *
 * @example
 * ```ts
 * import { CliError, EXIT_USAGE } from '@tessera/cli'
 *
 * throw new CliError('--dir is not a directory', EXIT_USAGE)
 * ```
 */
export class CliError extends Error {
  readonly exitCode: number

  constructor(message: string, exitCode = 1) {
    super(message)
    this.name = 'CliError'
    this.exitCode = exitCode
  }
}

/** The real terminal. */
export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}
