import type { RefreshTokenRecord } from '@tessera/core'

/**
 * The part of a generated PrismaClient that the stores use, typed structurally so that any
 * client generated from a schema holding Tessera's models fits, including a user's own.
 *
 * @module
 */

/**
 * A PrismaClient generated from a schema that contains Tessera's models
 * (`TesseraRefreshToken`, `TesseraAccessToken`, `TesseraTokenVersion`), whether the package's
 * own schema or your application's schema with the models merged in.
 */
export interface TesseraPrismaClient {
  tesseraRefreshToken: Methods<'create' | 'findUnique' | 'updateMany' | 'deleteMany'>
  tesseraAccessToken: Methods<'createMany' | 'findMany'>
  tesseraTokenVersion: Methods<'findUnique' | 'upsert'>
  $transaction: AnyFunction
  $executeRawUnsafe: AnyFunction
  $queryRawUnsafe: AnyFunction
}

// Generated delegate methods are generic over their arguments, which no hand-written signature
// can match; the stores check the presence of what they call and type the calls internally.
type AnyFunction = (...args: never[]) => unknown
type Methods<Name extends string> = { [Key in Name]: AnyFunction }

/**
 * A refresh-token row as the generated client returns it (with its access tokens): the schema
 * mirrors core's record field for field.
 */
export type RefreshTokenRow = RefreshTokenRecord

type DateFilter = Date | null | { gt?: Date; lte?: Date }
type RowFilter = {
  id?: string
  familyId?: string
  userId?: string
  usedAt?: null
  revokedAt?: null
  expiresAt?: DateFilter
  familyExpiresAt?: DateFilter
  OR?: RowFilter[]
}
type AccessTokenInput = { jti: string; expiresAt: Date }
type AccessTokenOrder = { seq: 'asc' }

interface RefreshTokenDelegate {
  create(args: {
    data: Omit<RefreshTokenRow, 'accessTokens'> & {
      accessTokens: { createMany: { data: AccessTokenInput[]; skipDuplicates: boolean } }
    }
    select: { id: true }
  }): Promise<{ id: string }>
  findUnique(args: {
    where: { id: string }
    include: { accessTokens: { orderBy: AccessTokenOrder } }
  }): Promise<RefreshTokenRow | null>
  findUnique(args: { where: { id: string } }): Promise<Omit<RefreshTokenRow, 'accessTokens'> | null>
  updateMany(args: {
    where: RowFilter
    data: {
      usedAt?: Date
      successorId?: string
      revokedAt?: Date
      generation?: { increment: number }
    }
  }): Promise<{ count: number }>
  deleteMany(args: { where: RowFilter }): Promise<{ count: number }>
}

interface AccessTokenDelegate {
  createMany(args: {
    data: (AccessTokenInput & { refreshTokenId: string })[]
    skipDuplicates: boolean
  }): Promise<{ count: number }>
  findMany(args: {
    where: { expiresAt: { gt: Date }; refreshToken: RowFilter } | { refreshTokenId: string }
    select: { jti: true; expiresAt: true }
    orderBy: AccessTokenOrder
  }): Promise<AccessTokenInput[]>
}

interface TokenVersionDelegate {
  findUnique(args: {
    where: { userId: string }
    select: { version: true }
  }): Promise<{ version: number } | null>
  upsert(args: {
    where: { userId: string }
    create: { userId: string; version: number }
    update: { version: { increment: number } }
    select: { version: true }
  }): Promise<{ version: number }>
}

/** Delegates available both on the client and inside an interactive transaction. */
export interface Delegates {
  tesseraRefreshToken: RefreshTokenDelegate
  tesseraAccessToken: AccessTokenDelegate
  tesseraTokenVersion: TokenVersionDelegate
  $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number>
  $queryRawUnsafe<T = unknown>(sql: string, ...values: unknown[]): Promise<T>
}

/** The precise shape of the client the stores call, once checked structurally. */
export interface Db extends Delegates {
  $transaction<R>(
    fn: (tx: Delegates) => Promise<R>,
    options?: { maxWait?: number; timeout?: number },
  ): Promise<R>
}

export function asDb(client: TesseraPrismaClient): Db {
  return client as unknown as Db
}
