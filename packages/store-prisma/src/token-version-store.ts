import type { TokenVersionStore } from '@tessera/core'
import { asDb, type TesseraPrismaClient } from './client.js'
import { guard } from './store-errors.js'

/**
 * Creates a {@link TokenVersionStore} on a PrismaClient whose schema holds Tessera's models.
 * `bump` is one `INSERT ... ON CONFLICT DO UPDATE`, so concurrent bumps never lose a count.
 *
 * @example
 * ```ts
 * import { createPrismaTokenVersionStore } from '@tessera/store-prisma'
 *
 * const tokenVersionStore = createPrismaTokenVersionStore(prisma)
 * await tokenVersionStore.bump(userId) // after a password change
 * ```
 */
export function createPrismaTokenVersionStore(client: TesseraPrismaClient): TokenVersionStore {
  const db = asDb(client)

  return {
    get: (userId) =>
      guard(async () => {
        const row = await db.tesseraTokenVersion.findUnique({
          where: { userId },
          select: { version: true },
        })
        return row?.version ?? 0
      }),

    bump: (userId) =>
      guard(async () => {
        const row = await db.tesseraTokenVersion.upsert({
          where: { userId },
          create: { userId, version: 1 },
          update: { version: { increment: 1 } },
          select: { version: true },
        })
        return row.version
      }),
  }
}
