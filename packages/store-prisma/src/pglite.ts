/**
 * Embedded PostgreSQL (PGlite) driver adapter for Tessera's Prisma store: no server needed.
 * Imported from `@tessera/store-prisma/pglite`; needs `@electric-sql/pglite` and
 * `pglite-prisma-adapter` installed.
 *
 * @module
 */
import { PGlite } from '@electric-sql/pglite'
import { PrismaPGlite } from 'pglite-prisma-adapter'

/** What {@link createPgliteAdapter} returns. */
export interface PgliteAdapter {
  /** Pass it to your PrismaClient: `new PrismaClient({ adapter })`. */
  adapter: PrismaPGlite
  /** The embedded database; `await pglite.close()` after `prisma.$disconnect()`. */
  pglite: PGlite
}

/**
 * Starts an embedded PGlite database (in memory, or persisted in `dataDir`) and wraps it in a
 * Prisma driver adapter. PGlite serves one connection, which suits one process: a demo,
 * tests, a single-instance app. Several app instances need PostgreSQL.
 *
 * @example
 * ```ts
 * import { createPgliteAdapter } from '@tessera/store-prisma/pglite'
 * import { PrismaClient } from './generated/prisma/client.js'
 *
 * const { adapter, pglite } = await createPgliteAdapter('./data/pglite')
 * const prisma = new PrismaClient({ adapter })
 * ```
 */
export async function createPgliteAdapter(dataDir?: string): Promise<PgliteAdapter> {
  const pglite = dataDir ? await PGlite.create(dataDir) : await PGlite.create()
  return { adapter: new PrismaPGlite(pglite), pglite }
}
