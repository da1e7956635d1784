// The error-code table of packages/core/README.md against src/errors.ts: every member of
// TokenErrorCode has a row, and the class that row names is the one that throws that code.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import * as core from '../src/index.js'

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8')
const errorsSource = read('../src/errors.ts')
const readme = read('../README.md')

/** The members of the TokenErrorCode union, read from its declaration. */
function tokenErrorCodes(): string[] {
  const declaration = /export type TokenErrorCode =([\s\S]*?)\n\n/.exec(errorsSource)?.[1] ?? ''
  return [...declaration.matchAll(/'(ERR_[A-Z_]+)'/g)].map((match) => match[1]!)
}

/** The source text of each exported error class, by class name. */
function classBodies(): Map<string, string> {
  const bodies = new Map<string, string>()
  const parts = errorsSource.split(/(?=export class )/)
  for (const part of parts) {
    const name = /^export class (\w+)/.exec(part)?.[1]
    if (name) bodies.set(name, part)
  }
  return bodies
}

/** `code -> class` from the README rows of the form | `CODE` | `Class` | meaning |. */
const meaning = new Map<string, string>()

function readmeTable(): Map<string, string> {
  const rows = new Map<string, string>()
  for (const match of readme.matchAll(
    /^\|\s*`(ERR_[A-Z_]+)`\s*\|\s*`(\w+)`\s*\|\s*(\S.*?)\s*\|\s*$/gm,
  )) {
    rows.set(match[1]!, match[2]!)
    meaning.set(match[1]!, match[3]!)
  }
  return rows
}

describe('packages/core/README.md', () => {
  it('reads the TokenErrorCode union', () => {
    expect(tokenErrorCodes()).toContain('ERR_TOKEN_MALFORMED')
    expect(tokenErrorCodes().length).toBeGreaterThan(10)
  })

  it('lists every TokenErrorCode in its error table, and nothing else', () => {
    expect([...readmeTable().keys()].sort()).toEqual(tokenErrorCodes().sort())
  })

  it('names, for each code, an exported error class that throws it', () => {
    const bodies = classBodies()
    for (const [code, className] of readmeTable()) {
      expect(core, `${className} is exported`).toHaveProperty(className)
      expect(bodies.get(className), `${className} throws ${code}`).toContain(`'${code}'`)
      expect(meaning.get(code)?.length, `meaning of ${code}`).toBeGreaterThan(10)
    }
  })
})
