// The demo merges Tessera's models into its own Prisma schema, as a user would, so it carries a
// copy of store-prisma's migration. The copy must stay byte-identical to the package's, or the
// store would run against tables it was not written for.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const MIGRATION = '20250101000000_tessera_init/migration.sql'

function read(relative: string): string {
  return readFileSync(new URL(relative, import.meta.url), 'utf8')
}

describe('demo Prisma schema', () => {
  it('carries store-prisma migration unchanged', () => {
    const ours = read(`../prisma/migrations/${MIGRATION}`)
    const theirs = read(`../../../packages/store-prisma/prisma/migrations/${MIGRATION}`)
    expect(ours === theirs).toBe(true)
  })

  it('declares every Tessera model exactly as store-prisma does', () => {
    const models = (schema: string) =>
      [...schema.matchAll(/^model (Tessera\w+) \{[^}]*\}/gm)].map((match) => match[0]).sort()
    const ours = models(read('../prisma/schema.prisma'))
    const theirs = models(read('../../../packages/store-prisma/prisma/schema.prisma'))
    expect(theirs.length).toBeGreaterThan(0)
    expect(ours).toEqual(theirs)
  })
})
