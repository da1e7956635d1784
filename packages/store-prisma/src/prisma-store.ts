import type { RefreshTokenStore, TokenVersionStore } from '@tessera/core'
import type { TesseraPrismaClient } from './client.js'
import { createPrismaRefreshTokenStore } from './refresh-token-store.js'
import { createPrismaTokenVersionStore } from './token-version-store.js'

/** Options of {@link createPrismaStore}. */
export interface PrismaStoreOptions {
  /**
   * A PrismaClient generated from a schema that holds Tessera's models, created with a driver
   * adapter (`@prisma/adapter-pg` or `pglite-prisma-adapter`). The store never disconnects it.
   */
  client: TesseraPrismaClient
  /**
   * PostgreSQL schema of Tessera's tables, for the statements the refresh-token store writes
   * in SQL. Give the same schema as your adapter's `schema` option when the connection's
   * `search_path` does not lead there; `createPostgresAdapter` sets both.
   * @default none: table names resolve through the connection's `search_path`
   */
  schema?: string
}

/** The stores {@link createPrismaStore} returns, ready for `createTessera`. */
export interface PrismaStore {
  refreshTokenStore: RefreshTokenStore
  tokenVersionStore: TokenVersionStore
}

/**
 * Creates the refresh-token store and the token-version store on one PrismaClient.
 *
 * @example
 * ```ts
 * import { createTessera } from '@tessera/core'
 * import { applyMigrations, createPrismaStore } from '@tessera/store-prisma'
 * import { createPostgresAdapter } from '@tessera/store-prisma/postgres'
 * import { PrismaClient } from './generated/prisma/client.js'
 *
 * const prisma = new PrismaClient({ adapter: createPostgresAdapter(process.env.DATABASE_URL!) })
 * await applyMigrations(prisma)
 * const stores = createPrismaStore({ client: prisma })
 * const tessera = createTessera({ keys, issuer, audience, secret, ...stores })
 * ```
 */
export function createPrismaStore({ client, schema }: PrismaStoreOptions): PrismaStore {
  return {
    refreshTokenStore: createPrismaRefreshTokenStore(
      client,
      schema === undefined ? {} : { schema },
    ),
    tokenVersionStore: createPrismaTokenVersionStore(client),
  }
}
