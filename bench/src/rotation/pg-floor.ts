/**
 * The floor for rotation on PostgreSQL: the statements the Prisma store issues for one
 * `refreshTokens`, as Prisma's query log shows them (`findById`: one SELECT of the presented
 * token with its access tokens; `rotate`: one statement whose conditional UPDATE feeds the
 * INSERTs of the successor and its access token), sent with the plain `pg` driver, no hashing,
 * no signing, no ORM. Keep both statements in step with
 * `packages/store-prisma/src/rotate-statement.ts`.
 */
import { randomBytes } from 'node:crypto'
import type pg from 'pg'

const COLUMNS = `"id", "family_id", "user_id", "token_hash", "generation", "parent_id", "device_hash",
  "created_at", "expires_at", "family_expires_at", "used_at", "successor_id", "revoked_at"`

// The store's findById statement: the token with its access tokens, in one round trip.
const FIND = `SELECT "t"."id", "t"."family_id", "t"."user_id", "t"."token_hash", "t"."generation",
       "t"."parent_id", "t"."device_hash", "t"."created_at", "t"."expires_at",
       "t"."family_expires_at", "t"."used_at", "t"."successor_id", "t"."revoked_at",
       "a"."jtis", "a"."expiries"
  FROM "tessera_refresh_token" AS "t"
 CROSS JOIN LATERAL (
   SELECT coalesce(array_agg("jti" ORDER BY "seq"), '{}') AS "jtis",
          coalesce(array_agg("expires_at" ORDER BY "seq"), '{}') AS "expiries"
     FROM "tessera_access_token"
    WHERE "refresh_token_id" = "t"."id"
 ) AS "a"
 WHERE "t"."id" = $1::text`

// The store's rotation statement, with the tables found through the pool's search_path.
const ROTATE = `WITH "used" AS (
  UPDATE "tessera_refresh_token"
     SET "used_at" = $2::timestamp(3), "successor_id" = $3::text
   WHERE "id" = $1::text AND "used_at" IS NULL AND "revoked_at" IS NULL
     AND "expires_at" > $2::timestamp(3) AND "family_expires_at" > $2::timestamp(3)
  RETURNING "id"
), "issued" AS (
  INSERT INTO "tessera_access_token" ("refresh_token_id", "jti", "expires_at")
  SELECT $3::text, "given"."jti", "given"."expires_at"::timestamp(3)
    FROM "used",
         unnest($16::text[], $17::text[]) WITH ORDINALITY AS "given" ("jti", "expires_at", "ord")
   ORDER BY "given"."ord"
  ON CONFLICT DO NOTHING
)
INSERT INTO "tessera_refresh_token" (${COLUMNS})
SELECT $3::text, $4::text, $5::text, $6::text, $7::int, $8::text, $9::text,
  $10::timestamp(3), $11::timestamp(3), $12::timestamp(3), $13::timestamp(3), $14::text,
  $15::timestamp(3)
  FROM "used"`

function id() {
  return randomBytes(16).toString('base64url')
}

interface Row {
  id: string
  family_id: string
  user_id: string
  generation: number
  device_hash: string | null
}

// Timestamps travel as ISO strings (UTC), as the store sends them: node-pg would read a
// `timestamp` column as local time, so the family's end stays in the worker's state.
interface Worker {
  current: string
  familyExpiresAt: string
}

/** Starts one family, as a login would; the worker state is the current token id. */
export async function floorClient(pool: pg.Pool, index: number): Promise<Worker> {
  const now = new Date()
  const tokenId = id()
  const familyExpiresAt = new Date(now.getTime() + 30 * 86400_000).toISOString()
  await pool.query(
    `INSERT INTO "tessera_refresh_token" (${COLUMNS})
     VALUES ($1, $2, $3, $4, 0, NULL, $5, $6, $7, $8, NULL, NULL, NULL)`,
    [
      tokenId,
      id(),
      `user-${index}`,
      id(),
      id(),
      now.toISOString(),
      new Date(now.getTime() + 7 * 86400_000).toISOString(),
      familyExpiresAt,
    ],
  )
  await pool.query(
    `INSERT INTO "tessera_access_token" ("refresh_token_id", "jti", "expires_at")
     VALUES ($1, $2, $3)`,
    [tokenId, id(), new Date(now.getTime() + 900_000).toISOString()],
  )
  return { current: tokenId, familyExpiresAt }
}

/** One rotation's worth of statements. */
export async function floorRotate(pool: pg.Pool, worker: Worker) {
  const found = await pool.query<Row>(FIND, [worker.current])
  const record = found.rows[0]
  if (!record) throw new Error('token not found')
  const now = new Date()
  const successorId = id()
  const rotated = await pool.query(ROTATE, [
    record.id,
    now.toISOString(),
    successorId,
    record.family_id,
    record.user_id,
    id(),
    record.generation + 1,
    record.id,
    record.device_hash,
    now.toISOString(),
    new Date(now.getTime() + 7 * 86400_000).toISOString(),
    worker.familyExpiresAt,
    null,
    null,
    null,
    [id()],
    [new Date(now.getTime() + 900_000).toISOString()],
  ])
  if (rotated.rowCount !== 1) throw new Error('token already used')
  worker.current = successorId
}
