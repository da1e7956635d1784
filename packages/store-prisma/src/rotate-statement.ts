import type { RefreshTokenRecord, RotateRequest } from '@tessera/core'

/** Double-quotes a PostgreSQL identifier, doubling any quote inside it. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** A table name for SQL, in `schema` when given, else as the `search_path` resolves it. */
export function tableName(name: string, schema?: string): string {
  return schema === undefined
    ? quoteIdentifier(name)
    : `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`
}

/**
 * `findById` as one statement: the refresh token with its access tokens in issue order, as
 * two arrays (empty when it has none); no row for an unknown id.
 */
export function findStatement(schema?: string): string {
  return `SELECT "t"."id", "t"."family_id", "t"."user_id", "t"."token_hash", "t"."generation",
       "t"."parent_id", "t"."device_hash", "t"."created_at", "t"."expires_at",
       "t"."family_expires_at", "t"."used_at", "t"."successor_id", "t"."revoked_at",
       "a"."jtis", "a"."expiries"
  FROM ${tableName('tessera_refresh_token', schema)} AS "t"
 CROSS JOIN LATERAL (
   SELECT coalesce(array_agg("jti" ORDER BY "seq"), '{}') AS "jtis",
          coalesce(array_agg("expires_at" ORDER BY "seq"), '{}') AS "expiries"
     FROM ${tableName('tessera_access_token', schema)}
    WHERE "refresh_token_id" = "t"."id"
 ) AS "a"
 WHERE "t"."id" = $1::text`
}

/** A row of {@link findStatement}, as the driver adapters return it. */
export interface FoundRow {
  id: string
  family_id: string
  user_id: string
  token_hash: string
  generation: number
  parent_id: string | null
  device_hash: string | null
  created_at: Date
  expires_at: Date
  family_expires_at: Date
  used_at: Date | null
  successor_id: string | null
  revoked_at: Date | null
  jtis: string[]
  expiries: Date[]
}

/** The record of a {@link findStatement} row. */
export function foundRecord(row: FoundRow): RefreshTokenRecord {
  return {
    id: row.id,
    familyId: row.family_id,
    userId: row.user_id,
    tokenHash: row.token_hash,
    generation: row.generation,
    parentId: row.parent_id,
    deviceHash: row.device_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    familyExpiresAt: row.family_expires_at,
    usedAt: row.used_at,
    successorId: row.successor_id,
    revokedAt: row.revoked_at,
    accessTokens: row.jtis.map((jti, index) => ({ jti, expiresAt: row.expiries[index] as Date })),
  }
}

/**
 * The happy path of `rotate` as one statement: the conditional UPDATE that marks the presented
 * token used feeds the INSERTs of the successor and of its access tokens (whose foreign key is
 * checked at the end of the statement, once the successor is in). It inserts one row when the
 * token was live and unused, and none otherwise (in which case nothing changed), so it runs
 * with `$executeRaw`, which maps no result rows. Being one statement, it commits or fails as a
 * whole without an explicit transaction, and the conditional UPDATE takes the same row lock as
 * before: under READ COMMITTED a concurrent rotation waits for it, re-checks `used_at IS NULL`
 * and matches nothing.
 *
 * Timestamps travel as ISO 8601 strings cast to `timestamp(3)`, which keeps their UTC wall
 * clock whatever the adapter or the session's time zone (the columns hold UTC, as Prisma
 * writes them). Without a schema, table names resolve through the connection's `search_path`.
 */
export function rotateStatement(schema?: string): string {
  const refreshTokens = tableName('tessera_refresh_token', schema)
  const accessTokens = tableName('tessera_access_token', schema)

  return `WITH "used" AS (
  UPDATE ${refreshTokens}
     SET "used_at" = $2::timestamp(3), "successor_id" = $3::text
   WHERE "id" = $1::text AND "used_at" IS NULL AND "revoked_at" IS NULL
     AND "expires_at" > $2::timestamp(3) AND "family_expires_at" > $2::timestamp(3)
  RETURNING "id"
), "issued" AS (
  INSERT INTO ${accessTokens} ("refresh_token_id", "jti", "expires_at")
  SELECT $3::text, "given"."jti", "given"."expires_at"::timestamp(3)
    FROM "used",
         unnest($16::text[], $17::text[]) WITH ORDINALITY AS "given" ("jti", "expires_at", "ord")
   ORDER BY "given"."ord"
  ON CONFLICT DO NOTHING
)
INSERT INTO ${refreshTokens} ("id", "family_id", "user_id", "token_hash", "generation",
  "parent_id", "device_hash", "created_at", "expires_at", "family_expires_at", "used_at",
  "successor_id", "revoked_at")
SELECT $3::text, $4::text, $5::text, $6::text, $7::int, $8::text, $9::text,
  $10::timestamp(3), $11::timestamp(3), $12::timestamp(3), $13::timestamp(3), $14::text,
  $15::timestamp(3)
  FROM "used"`
}

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString()
}

/**
 * The values of {@link rotateStatement}, in order, for a request whose successor is already in
 * its stored form (each access token once).
 */
export function rotateArguments(request: RotateRequest, successor: RefreshTokenRecord): unknown[] {
  return [
    request.tokenId,
    iso(request.now),
    successor.id,
    successor.familyId,
    successor.userId,
    successor.tokenHash,
    successor.generation,
    successor.parentId,
    successor.deviceHash,
    iso(successor.createdAt),
    iso(successor.expiresAt),
    iso(successor.familyExpiresAt),
    iso(successor.usedAt),
    successor.successorId,
    iso(successor.revokedAt),
    successor.accessTokens.map(({ jti }) => jti),
    successor.accessTokens.map(({ expiresAt }) => expiresAt.toISOString()),
  ]
}
