// The programmatic surface of @tessera/cli: the program builder and the runner.
export { KEY_FILE_NAME, registerKeysCommand } from './commands/keys.js'
export { CliError, type CliIo } from './io.js'
export { EXIT_FAILURE, EXIT_USAGE, main } from './main.js'
export { createProgram } from './program.js'
export { requireSubcommand } from './require-subcommand.js'
