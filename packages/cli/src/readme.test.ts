import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { createProgram } from './program.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

/** Leaf commands with their full name (`keys rotate`) and long options. */
function leaves(command: Command, prefix = ''): { name: string; options: string[] }[] {
  if (command.commands.length === 0)
    return [{ name: prefix, options: command.options.map((option) => option.long!) }]
  return command.commands.flatMap((sub) => leaves(sub, `${prefix} ${sub.name()}`.trim()))
}

/** The README section of one command: from its heading to the next heading. */
function section(name: string): string {
  const start = readme.search(new RegExp(`^### \`tessera ${name}( \\[token\\])?\``, 'm'))
  if (start === -1) return ''
  const rest = readme.slice(readme.indexOf('\n', start))
  const end = rest.search(/^#{2,3} /m)
  return end === -1 ? rest : rest.slice(0, end)
}

describe('packages/cli/README.md', () => {
  const commands = leaves(createProgram({ stdout: () => {}, stderr: () => {} }))

  it('finds the commands of the program', () => {
    expect(commands.map((command) => command.name)).toEqual(
      expect.arrayContaining(['keys generate', 'keys rotate', 'keys jwks', 'inspect', 'scan']),
    )
  })

  it.each(commands.map((command) => [command.name, command.options] as const))(
    'documents tessera %s with every option and its exit codes',
    (name, options) => {
      const text = section(name)
      expect(text, `section of ${name}`).not.toBe('')
      for (const option of options)
        expect(text, `${name} ${option}`).toMatch(new RegExp(`\`${option}[ \`]`))
      expect(text).toMatch(/Exit codes: 0 /)
    },
  )
})
