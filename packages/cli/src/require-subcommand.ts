import type { Command } from 'commander'

/**
 * A command that only groups subcommands: without one (or with an unknown one) it fails
 * with a one-line reason rather than a page of help on stderr.
 */
export function requireSubcommand(command: Command): Command {
  return command
    .usage('<command> [options]')
    .argument('[command]')
    .action((name: string | undefined) => {
      const reason = name ? `unknown command '${name}'` : 'missing command'
      const names: string[] = []
      for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name())
      command.error(`error: ${reason}; see '${names.join(' ')} --help'`, {
        code: 'tessera.command',
        exitCode: 2,
      })
    })
}
