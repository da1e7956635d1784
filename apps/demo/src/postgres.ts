import { PrismaPg } from '@prisma/adapter-pg'

/**
 * A PostgreSQL driver adapter for `url`. A `?schema=` parameter (as Prisma's CLI reads it)
 * selects the schema for both the client's queries and raw SQL such as the migrations.
 */
export function createPostgresAdapter(url: string): { adapter: PrismaPg; schema: string | null } {
  const parsed = new URL(url)
  const schema = parsed.searchParams.get('schema')
  parsed.searchParams.delete('schema')
  if (schema !== null && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new TypeError('the schema parameter of DATABASE_URL must be a plain identifier')
  }

  const adapter = new PrismaPg(
    {
      connectionString: parsed.toString(),
      max: 10,
      connectionTimeoutMillis: 3000,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    },
    schema ? { schema } : undefined,
  )
  return { adapter, schema }
}
