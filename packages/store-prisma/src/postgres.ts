/**
 * PostgreSQL driver adapter for Tessera's Prisma store. Imported from
 * `@tessera/store-prisma/postgres`; needs `@prisma/adapter-pg` and `pg` installed.
 *
 * @module
 */
import { PrismaPg } from '@prisma/adapter-pg'

/** Options of {@link createPostgresAdapter}. */
export interface PostgresAdapterOptions {
  /**
   * PostgreSQL schema for the models and for raw SQL such as {@link applyMigrations}.
   * @default the `schema` parameter of the URL, else the server's `search_path` (usually `public`)
   */
  schema?: string
  /**
   * Largest number of pooled connections.
   * @default 10
   */
  max?: number
  /**
   * How long to wait for a new connection before failing, in milliseconds.
   * @default 5000
   */
  connectionTimeoutMs?: number
}

/**
 * Creates a `@prisma/adapter-pg` driver adapter for your own generated PrismaClient. With a
 * schema (option or `?schema=` in the URL, as Prisma's CLI reads it), both the client's queries
 * and raw SQL (its `search_path`) use that schema.
 *
 * @example
 * ```ts
 * import { createPostgresAdapter } from '@tessera/store-prisma/postgres'
 * import { PrismaClient } from './generated/prisma/client.js'
 *
 * const prisma = new PrismaClient({ adapter: createPostgresAdapter(process.env.DATABASE_URL!) })
 * ```
 */
export function createPostgresAdapter(url: string, options: PostgresAdapterOptions = {}): PrismaPg {
  const parsed = new URL(url)
  const schema = options.schema ?? parsed.searchParams.get('schema') ?? undefined
  parsed.searchParams.delete('schema')

  return new PrismaPg(
    {
      connectionString: parsed.toString(),
      max: options.max ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
      ...(schema ? { options: `-c search_path=${quoteIdentifier(schema)}` } : {}),
    },
    schema ? { schema } : undefined,
  )
}

function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(name)) {
    throw new TypeError('schema must be a plain PostgreSQL identifier')
  }
  // Quoted, so that PostgreSQL keeps the case of the name, as Prisma's queries (quoted) do.
  return `"${name}"`
}
