// The programmatic surface of @tessera/cli: run the `tessera` command in-process, or build
// its commander program. Commands and their helpers are internal.
export { CliError, type CliIo } from './io.js'
export { EXIT_FAILURE, EXIT_USAGE, main } from './main.js'
export { createProgram } from './program.js'
