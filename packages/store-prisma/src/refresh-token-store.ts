import { randomUUID } from 'node:crypto'
import type {
  IssuedAccessToken,
  RefreshTokenRecord,
  RefreshTokenStore,
  RotateOutcome,
  RotateRequest,
} from '@tessera/core'
import {
  asDb,
  type Db,
  type Delegates,
  type RefreshTokenRow,
  type TesseraPrismaClient,
} from './client.js'
import {
  type FoundRow,
  findStatement,
  foundRecord,
  rotateArguments,
  rotateStatement,
  tableName,
} from './rotate-statement.js'
import { guard, isUndefinedTable } from './store-errors.js'

const withAccessTokens = { accessTokens: { orderBy: { seq: 'asc' } } } as const

// An interactive transaction holds a connection; rotation is a handful of statements, so a
// tight budget surfaces a stuck database quickly instead of piling up waiting requests.
const TRANSACTION_OPTIONS = { maxWait: 5_000, timeout: 10_000 }

function toRecord(row: RefreshTokenRow): RefreshTokenRecord {
  return {
    id: row.id,
    familyId: row.familyId,
    userId: row.userId,
    tokenHash: row.tokenHash,
    generation: row.generation,
    parentId: row.parentId,
    deviceHash: row.deviceHash,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    familyExpiresAt: row.familyExpiresAt,
    usedAt: row.usedAt,
    successorId: row.successorId,
    revokedAt: row.revokedAt,
    accessTokens: row.accessTokens.map(({ jti, expiresAt }) => ({ jti, expiresAt })),
  }
}

function uniqueByJti(tokens: IssuedAccessToken[]): IssuedAccessToken[] {
  const seen = new Set<string>()
  return tokens.filter(({ jti }) => {
    if (seen.has(jti)) return false
    seen.add(jti)
    return true
  })
}

// The record as stored: its own fields only, and each access token once (the first of a jti).
function asStored(record: RefreshTokenRecord): RefreshTokenRecord {
  return toRecord({ ...record, accessTokens: uniqueByJti(record.accessTokens) })
}

async function insert(tx: Delegates, record: RefreshTokenRecord): Promise<RefreshTokenRecord> {
  const stored = asStored(record)
  const { accessTokens, ...fields } = stored
  await tx.tesseraRefreshToken.create({
    data: { ...fields, accessTokens: { createMany: { data: accessTokens, skipDuplicates: true } } },
    select: { id: true },
  })
  return stored
}

// Takes the row lock on a refresh token without changing it, so that the decision that
// follows sees a state no other transaction can change before we commit.
async function lock(tx: Delegates, where: { id: string; usedAt?: null; revokedAt?: null }) {
  const { count } = await tx.tesseraRefreshToken.updateMany({
    where,
    data: { generation: { increment: 0 } },
  })
  return count === 1
}

// Under READ COMMITTED one UPDATE only sees rows committed before it started: a successor that
// a concurrent rotation inserts while we wait for its parent's row lock would escape. Repeating
// the UPDATE until it matches nothing closes that gap: each pass sees what committed meanwhile,
// and a rotation that has not committed yet waits on a parent row we have already revoked.
const MAX_REVOKE_PASSES = 20

async function revokeWhere(
  tx: Delegates,
  where: { id?: string; familyId?: string; userId?: string },
  now: Date,
): Promise<IssuedAccessToken[]> {
  for (let pass = 0; pass < MAX_REVOKE_PASSES; pass++) {
    const { count } = await tx.tesseraRefreshToken.updateMany({
      where: { ...where, revokedAt: null },
      data: { revokedAt: now },
    })
    if (count === 0) break
  }
  return tx.tesseraAccessToken.findMany({
    where: { expiresAt: { gt: now }, refreshToken: where },
    select: { jti: true, expiresAt: true },
    orderBy: { seq: 'asc' },
  })
}

async function rotateIn(tx: Delegates, request: RotateRequest): Promise<RotateOutcome> {
  const { tokenId, successor, accessToken, deviceHash, graceMs, now } = request

  // The same conditional UPDATE as the one-statement path, repeated because the token may have
  // changed since (or the statement found no table): under READ COMMITTED a concurrent
  // rotation waits for our row lock, re-checks `used_at IS NULL` and matches nothing.
  const rotated = await tx.tesseraRefreshToken.updateMany({
    where: {
      id: tokenId,
      usedAt: null,
      revokedAt: null,
      expiresAt: { gt: now },
      familyExpiresAt: { gt: now },
    },
    data: { usedAt: now, successorId: successor.id },
  })
  if (rotated.count === 1) return { status: 'rotated', successor: await insert(tx, successor) }

  if (!(await lock(tx, { id: tokenId }))) return { status: 'invalid', reason: 'not-found' }
  const row = await tx.tesseraRefreshToken.findUnique({
    where: { id: tokenId },
    include: withAccessTokens,
  })
  if (!row) return { status: 'invalid', reason: 'not-found' }
  if (row.revokedAt) return { status: 'invalid', reason: 'revoked' }
  if (row.familyExpiresAt <= now) return { status: 'invalid', reason: 'family-expired' }
  if (row.expiresAt <= now) return { status: 'invalid', reason: 'expired' }

  // Only a used token reaches this point.
  const usedAt = row.usedAt ?? now
  const sinceRotationMs = now.getTime() - usedAt.getTime()
  const withinGrace = sinceRotationMs < graceMs
  const sameDevice = row.deviceHash === deviceHash

  if (withinGrace && sameDevice && row.successorId) {
    const successorId = row.successorId
    if (await lock(tx, { id: successorId, usedAt: null, revokedAt: null })) {
      await tx.tesseraAccessToken.createMany({
        data: [{ refreshTokenId: successorId, ...accessToken }],
        skipDuplicates: true,
      })
      const stored = await tx.tesseraRefreshToken.findUnique({
        where: { id: successorId },
        include: withAccessTokens,
      })
      if (stored) return { status: 'replayed', successor: toRecord(stored), sinceRotationMs }
    }
  }

  const revoked = await revokeWhere(tx, { familyId: row.familyId }, now)
  const record = { ...toRecord(row), revokedAt: now }
  return { status: 'reused', record, sinceRotationMs, withinGrace, revoked }
}

// Thrown to roll back the probe's transaction, carrying its answer.
class ProbeAnswer {
  constructor(readonly reached: boolean) {}
}

// Whether the store's SQL statements reach the tables that Prisma's own queries use (the
// adapter's `schema` and the connection's `search_path` may differ). In a transaction that is
// always rolled back, a row written through the client must be visible to a SQL statement.
async function sqlReachesTables(db: Db, schema: string | undefined): Promise<boolean> {
  const probe = `tessera-probe-${randomUUID()}`
  const epoch = new Date(0)
  const record = {
    ...{ id: probe, familyId: probe, userId: probe, tokenHash: probe, generation: 0 },
    ...{ parentId: null, deviceHash: null, createdAt: epoch, expiresAt: epoch },
    ...{ familyExpiresAt: epoch, usedAt: null, successorId: null, revokedAt: null },
    accessTokens: [],
  }
  const sql = `SELECT "id" FROM ${tableName('tessera_refresh_token', schema)} WHERE "id" = $1`
  try {
    await db.$transaction(async (tx) => {
      await insert(tx, record)
      let rows: unknown[] = []
      try {
        rows = await tx.$queryRawUnsafe<unknown[]>(sql, probe)
      } catch (error) {
        if (!isUndefinedTable(error)) throw error
      }
      throw new ProbeAnswer(rows.length === 1)
    }, TRANSACTION_OPTIONS)
  } catch (error) {
    if (error instanceof ProbeAnswer) return error.reached
    throw error
  }
  throw new Error('the probe transaction was not rolled back')
}

// One probe per client and schema, shared by every store on them.
const probes = new WeakMap<object, Map<string, Promise<boolean>>>()

function probeOnce(db: Db, schema: string | undefined): Promise<boolean> {
  const bySchema = probes.get(db) ?? new Map<string, Promise<boolean>>()
  probes.set(db, bySchema)
  const key = schema ?? ''
  let answer = bySchema.get(key)
  if (!answer) {
    answer = sqlReachesTables(db, schema)
    bySchema.set(key, answer)
    // A failed probe (database unreachable) is tried again by the next call.
    answer.catch(() => bySchema.delete(key))
  }
  return answer
}

/** Options of {@link createPrismaRefreshTokenStore}. */
export interface PrismaRefreshTokenStoreOptions {
  /**
   * PostgreSQL schema of Tessera's tables, for the statements the store writes in SQL
   * (`findById`, and `rotate` of a live token). Give the same schema as your adapter's `schema`
   * option when the connection's `search_path` does not lead there; `createPostgresAdapter`
   * sets both.
   * @default none: table names resolve through the connection's `search_path`
   */
  schema?: string
}

/**
 * Creates a {@link RefreshTokenStore} on a PrismaClient whose schema holds Tessera's models.
 *
 * Rotating a live, unused token is one SQL statement outside any interactive transaction: a
 * conditional `UPDATE ... WHERE used_at IS NULL AND revoked_at IS NULL` marks it used and feeds
 * the INSERTs of the successor and its access token, so of any number of concurrent rotations
 * exactly one succeeds. When that statement matches nothing (used, revoked, expired or unknown
 * token), an interactive transaction repeats the conditional UPDATE and takes every other
 * decision (grace replay, reuse and the revocation of the family) under the row lock. Both are
 * safe across app instances at PostgreSQL's default isolation level (READ COMMITTED).
 * Connection failures surface as `StoreUnavailableError` with the Prisma error as `cause`.
 *
 * `findById` is one SQL statement too. Raw SQL finds the tables through the `search_path` (or
 * the `schema` option), Prisma's queries through the adapter's `schema`: once per client, the
 * store checks in a rolled-back transaction that the two meet, and if not it keeps to Prisma's
 * queries and the transaction (correct, only slower).
 *
 * @example
 * ```ts
 * import { createPrismaRefreshTokenStore } from '@tessera/store-prisma'
 *
 * const refreshTokenStore = createPrismaRefreshTokenStore(prisma)
 * const inSchema = createPrismaRefreshTokenStore(prisma, { schema: 'auth' })
 * ```
 */
export function createPrismaRefreshTokenStore(
  client: TesseraPrismaClient,
  options: PrismaRefreshTokenStoreOptions = {},
): RefreshTokenStore {
  const db = asDb(client)
  const { schema } = options
  const statement = rotateStatement(schema)
  const find = findStatement(schema)

  // True when the token was rotated by the one statement; false when it matched nothing.
  async function rotateUnused(request: RotateRequest, successor: RefreshTokenRecord) {
    if (!(await probeOnce(db, schema))) return false
    try {
      return (await db.$executeRawUnsafe(statement, ...rotateArguments(request, successor))) === 1
    } catch (error) {
      if (isUndefinedTable(error)) return false
      throw error
    }
  }

  return {
    create: (record) =>
      guard(async () => {
        await insert(db, record)
      }),

    // Always the same statements, whether or not the id exists: one SQL statement, or the two
    // queries below when SQL does not reach the tables. With `include`, Prisma reads the access
    // tokens in a second statement only when the row exists, and that extra round trip told a
    // caller timing the refresh endpoint which token ids are real.
    findById: (id) =>
      guard(async () => {
        if (await probeOnce(db, schema)) {
          const rows = await db.$queryRawUnsafe<FoundRow[]>(find, id)
          return rows[0] ? foundRecord(rows[0]) : null
        }
        const [row, accessTokens] = await Promise.all([
          db.tesseraRefreshToken.findUnique({ where: { id } }),
          db.tesseraAccessToken.findMany({
            where: { refreshTokenId: id },
            select: { jti: true, expiresAt: true },
            orderBy: { seq: 'asc' },
          }),
        ])
        return row ? toRecord({ ...row, accessTokens }) : null
      }),

    // The successor returned is the caller's record as it was stored, not read back.
    rotate: (request) =>
      guard(async () => {
        const successor = asStored(request.successor)
        if (await rotateUnused(request, successor)) return { status: 'rotated', successor }
        return db.$transaction((tx) => rotateIn(tx, request), TRANSACTION_OPTIONS)
      }),

    revoke: (id, now) =>
      guard(() => db.$transaction((tx) => revokeWhere(tx, { id }, now), TRANSACTION_OPTIONS)),

    revokeFamily: (familyId, now) =>
      guard(() => db.$transaction((tx) => revokeWhere(tx, { familyId }, now), TRANSACTION_OPTIONS)),

    revokeUser: (userId, now) =>
      guard(() => db.$transaction((tx) => revokeWhere(tx, { userId }, now), TRANSACTION_OPTIONS)),

    deleteExpired: (now) =>
      guard(async () => {
        const { count } = await db.tesseraRefreshToken.deleteMany({
          where: { OR: [{ expiresAt: { lte: now } }, { familyExpiresAt: { lte: now } }] },
        })
        return count
      }),
  }
}
