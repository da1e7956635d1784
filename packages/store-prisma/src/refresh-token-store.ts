import type {
  IssuedAccessToken,
  RefreshTokenRecord,
  RefreshTokenStore,
  RotateOutcome,
  RotateRequest,
} from '@tessera/core'
import { asDb, type Delegates, type RefreshTokenRow, type TesseraPrismaClient } from './client.js'
import { guard } from './store-errors.js'

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

async function insert(tx: Delegates, record: RefreshTokenRecord): Promise<RefreshTokenRecord> {
  const { accessTokens, ...fields } = record
  const data = uniqueByJti(accessTokens).map(({ jti, expiresAt }) => ({ jti, expiresAt }))
  const row = await tx.tesseraRefreshToken.create({
    data: { ...fields, accessTokens: { createMany: { data, skipDuplicates: true } } },
    include: withAccessTokens,
  })
  return toRecord(row)
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

  // The happy path is one conditional UPDATE: under READ COMMITTED a concurrent rotation
  // waits for our row lock, re-checks `used_at IS NULL` and matches nothing.
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
  if (rotated.count === 1) {
    const stored = await insert(tx, successor)
    return { status: 'rotated', successor: stored }
  }

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

/**
 * Creates a {@link RefreshTokenStore} on a PrismaClient whose schema holds Tessera's models.
 *
 * Rotation runs in one interactive transaction: a conditional `UPDATE ... WHERE used_at IS
 * NULL AND revoked_at IS NULL` marks the token used, and every other decision (grace replay,
 * reuse and the revocation of the family) is taken under the row lock in the same transaction.
 * It is safe across app instances at PostgreSQL's default isolation level (READ COMMITTED).
 * Connection failures surface as `StoreUnavailableError` with the Prisma error as `cause`.
 *
 * @example
 * ```ts
 * import { createPrismaRefreshTokenStore } from '@tessera/store-prisma'
 *
 * const refreshTokenStore = createPrismaRefreshTokenStore(prisma)
 * ```
 */
export function createPrismaRefreshTokenStore(client: TesseraPrismaClient): RefreshTokenStore {
  const db = asDb(client)

  return {
    create: (record) =>
      guard(async () => {
        await insert(db, record)
      }),

    // Always the same two statements, whether or not the id exists. With `include`, Prisma
    // reads the access tokens in a second statement only when the row exists, and that extra
    // round trip told a caller timing the refresh endpoint which token ids are real.
    findById: (id) =>
      guard(async () => {
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

    rotate: (request) =>
      guard(() => db.$transaction((tx) => rotateIn(tx, request), TRANSACTION_OPTIONS)),

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
