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

/** The CLI's io, plus an optional stdin reader (tests inject one). */
export type StdinIo = CliIo & { readStdin?: () => Promise<string> }

const MAX_STDIN_BYTES = 1024 * 1024

/**
 * Reads all of stdin (at most 1 MiB), for a token passed as `-` rather than on the command
 * line where `ps` and shell history would keep it. A terminal stdin is a usage error.
 */
export async function readStdin(io: StdinIo, whenTerminal: string): Promise<string> {
  if (io.readStdin) return io.readStdin()
  if (process.stdin.isTTY) throw new CliError(whenTerminal, 2)
  let text = ''
  for await (const chunk of process.stdin) {
    text += String(chunk)
    if (text.length > MAX_STDIN_BYTES) throw new CliError('stdin is too large for a token', 2)
  }
  return text
}
