import { readFileSync } from 'node:fs'
import { Command, Help, type Option } from 'commander'
import { registerInspectCommand } from './commands/inspect.js'
import { registerKeysCommand } from './commands/keys.js'
import { registerScanCommand } from './commands/scan.js'
import type { CliIo } from './io.js'
import { requireSubcommand } from './require-subcommand.js'

function packageVersion(): string {
  // src/ and dist/ both sit one level below package.json.
  const manifest = readFileSync(new URL('../package.json', import.meta.url), 'utf8')
  return (JSON.parse(manifest) as { version: string }).version
}

/** Collapses commander's messages (which may add a "Did you mean" line) onto one line. */
function oneLine(text: string): string {
  return `${text.trim().replace(/\s*\n\s*/g, ' ')}\n`
}

/** Option help that says which options are required (commander's own help does not). */
function optionDescription(this: Help, option: Option): string {
  const text = Help.prototype.optionDescription.call(this, option)
  return option.mandatory ? `required: ${text}` : text
}

/**
 * Builds the `tessera` program. Commands are registered one module each (`commands/*.ts`),
 * so later commands plug in without touching the others.
 *
 * @example
 * ```ts
 * import { createProgram } from '@tessera/cli'
 *
 * const program = createProgram({ stdout: console.log, stderr: console.error })
 * await program.parseAsync(['keys', 'jwks', '--dir', './keys'], { from: 'user' })
 * ```
 */
export function createProgram(io: CliIo): Command {
  const program = new Command('tessera')
    .description(
      'Tessera JWT tools: manage signing key sets, inspect tokens, scan endpoints for ' +
        'verification weaknesses',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    // Inherited by every subcommand, like the exit override and output settings below.
    .configureHelp({ optionDescription })
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (text, write) => write(oneLine(text)),
    })
  requireSubcommand(program)
  // Subcommands created with .command() inherit the exit override and output settings above.
  registerKeysCommand(program, io)
  registerInspectCommand(program, io)
  registerScanCommand(program, io)
  return program
}
