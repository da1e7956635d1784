/**
 * The floor for rotation on PostgreSQL: the statements the Prisma store issues for one
 * `refreshTokens`, as Prisma's query log shows them (find the presented token and its access
 * tokens; then one transaction: the conditional UPDATE that marks it used, the successor's
 * INSERT, its access token's INSERT, and the read-back of the successor and its access tokens),
 * sent with the plain `pg` driver, no hashing, no signing, no ORM.
 */
import { randomBytes } from 'node:crypto'
import type pg from 'pg'

const COLUMNS = `"id", "family_id", "user_id", "token_hash", "generation", "parent_id", "device_hash",
  "created_at", "expires_at", "family_expires_at", "used_at", "successor_id", "revoked_at"`

function id() {
  return randomBytes(16).toString('base64url')
}

interface Row {
  id: string
  family_id: string
  user_id: string
  generation: number
  device_hash: string | null
  family_expires_at: Date
}

async function insertToken(client: pg.Pool | pg.PoolClient, row: Row, now: Date) {
  const expires = new Date(now.getTime() + 7 * 86400_000)
  const inserted = await client.query(
    `INSERT INTO "tessera_refresh_token" (${COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL, NULL) RETURNING "id"`,
    [
      row.id,
      row.family_id,
      row.user_id,
      id(),
      row.generation,
      null,
      row.device_hash,
      now,
      expires,
      row.family_expires_at,
    ],
  )
  await client.query(
    `INSERT INTO "tessera_access_token" ("refresh_token_id", "jti", "expires_at")
     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [row.id, id(), new Date(now.getTime() + 900_000)],
  )
  // Prisma reads the created row back with its access tokens (`include`): two SELECTs.
  const created = await client.query('SELECT * FROM "tessera_refresh_token" WHERE "id" = $1', [
    inserted.rows[0]?.id,
  ])
  await client.query(
    `SELECT "refresh_token_id", "jti", "expires_at" FROM "tessera_access_token"
     WHERE "refresh_token_id" = ANY($1) ORDER BY "seq" ASC`,
    [[row.id]],
  )
  return created.rows[0] as Row
}

/** Starts one family, as a login would; the worker state is the current token id. */
export async function floorClient(pool: pg.Pool, index: number) {
  const now = new Date()
  const row: Row = {
    id: id(),
    family_id: id(),
    user_id: `user-${index}`,
    generation: 0,
    device_hash: id(),
    family_expires_at: new Date(now.getTime() + 30 * 86400_000),
  }
  await insertToken(pool, row, now)
  return { current: row.id }
}

/** One rotation's worth of statements. */
export async function floorRotate(pool: pg.Pool, worker: { current: string }) {
  const found = await pool.query<Row>('SELECT * FROM "tessera_refresh_token" WHERE "id" = $1', [
    worker.current,
  ])
  await pool.query(
    `SELECT "refresh_token_id", "jti", "expires_at" FROM "tessera_access_token"
     WHERE "refresh_token_id" = ANY($1) ORDER BY "seq" ASC`,
    [[worker.current]],
  )
  const record = found.rows[0]
  if (!record) throw new Error('token not found')
  const now = new Date()
  const successor = { ...record, id: id(), generation: record.generation + 1 }
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const updated = await client.query(
      `UPDATE "tessera_refresh_token" SET "used_at" = $2, "successor_id" = $3
       WHERE "id" = $1 AND "used_at" IS NULL AND "revoked_at" IS NULL
         AND "expires_at" > $2 AND "family_expires_at" > $2`,
      [record.id, now, successor.id],
    )
    if (updated.rowCount !== 1) throw new Error('token already used')
    await insertToken(client, successor, now)
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK')
    throw error
  } finally {
    client.release()
  }
  worker.current = successor.id
}
