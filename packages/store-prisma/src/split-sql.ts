/**
 * Splits a migration script into statements at top-level semicolons, leaving semicolons
 * inside quotes, dollar-quoted bodies and comments alone. Drivers run one statement per
 * prepared query, while `prisma migrate` sends a whole script at once.
 */
export function splitSql(script: string): string[] {
  const statements: string[] = []
  let start = 0
  let i = 0

  while (i < script.length) {
    const char = script[i]
    const next = script[i + 1]

    if (char === '-' && next === '-') {
      const end = script.indexOf('\n', i)
      i = end === -1 ? script.length : end + 1
    } else if (char === '/' && next === '*') {
      const end = script.indexOf('*/', i + 2)
      i = end === -1 ? script.length : end + 2
    } else if (char === "'" || char === '"') {
      let j = i + 1
      while (j < script.length) {
        if (script[j] === char && script[j + 1] === char) j += 2
        else if (script[j] === char) break
        else j++
      }
      i = j + 1
    } else if (char === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(script.slice(i))?.[0]
      if (tag) {
        const end = script.indexOf(tag, i + tag.length)
        i = end === -1 ? script.length : end + tag.length
      } else {
        i++
      }
    } else if (char === ';') {
      statements.push(script.slice(start, i))
      start = i + 1
      i++
    } else {
      i++
    }
  }
  statements.push(script.slice(start))

  return statements.filter((statement) => !isBlank(statement)).map((s) => s.trim())
}

function isBlank(statement: string): boolean {
  const withoutComments = statement.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '')
  return withoutComments.trim() === ''
}
