// The public surface of @tessera/store-prisma. Driver adapters live in the `./postgres` and
// `./pglite` subpaths so that this entry imports neither driver.

export type { ApplyMigrationsOptions, ApplyMigrationsResult } from './apply-migrations.js'
export { applyMigrations } from './apply-migrations.js'
export type { TesseraPrismaClient } from './client.js'
export type { PrismaStore, PrismaStoreOptions } from './prisma-store.js'
export { createPrismaStore } from './prisma-store.js'
export type { PrismaRefreshTokenStoreOptions } from './refresh-token-store.js'
export { createPrismaRefreshTokenStore } from './refresh-token-store.js'
export { createPrismaTokenVersionStore } from './token-version-store.js'
