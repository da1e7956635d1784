import { describe, expect, it } from 'vitest'
import { splitSql } from './split-sql.js'

describe('splitSql', () => {
  it('splits at top-level semicolons and drops comment-only pieces', () => {
    const script =
      '-- CreateTable\nCREATE TABLE "a" ("x" TEXT);\n\n-- CreateIndex\nCREATE INDEX "i" ON "a"("x");\n'
    expect(splitSql(script)).toEqual([
      '-- CreateTable\nCREATE TABLE "a" ("x" TEXT)',
      '-- CreateIndex\nCREATE INDEX "i" ON "a"("x")',
    ])
  })

  it('leaves semicolons inside strings, identifiers, comments and dollar quotes alone', () => {
    const script = [
      "INSERT INTO t VALUES ('a;b', 'it''s;')",
      '-- leading; comment\nCREATE TABLE "odd;name" (x int)',
      '/* block; comment */ SELECT 1',
      'CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql',
      'DO $$ BEGIN PERFORM 1; END $$',
    ].join(';\n')
    expect(splitSql(script)).toHaveLength(5)
    expect(splitSql(script)[3]).toContain('RETURN 1; END;')
  })
})
