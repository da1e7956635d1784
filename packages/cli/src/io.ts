/** Where the CLI writes, and how it reports failure; tests pass their own to run in-process. */
export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
}

/** An expected failure: printed as one `error:` line, exit code 1 unless told otherwise. */
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
