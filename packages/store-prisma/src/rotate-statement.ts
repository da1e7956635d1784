import type { RefreshTokenRecord, RotateRequest } from '@tessera/core'

/** Double-quotes a PostgreSQL identifier, doubling any quote inside it. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/**
 * The happy path of `rotate` as one statement: the conditional UPDATE that marks the presented
 * token used feeds the INSERT of the successor, which feeds the INSERT of its access tokens.
 * It returns the successor's id when the token was live and unused, and no row otherwise (in
 * which case nothing changed). Being one statement, it commits or fails as a whole without an
 * explicit transaction, and the conditional UPDATE takes the same row lock as before: under
 * READ COMMITTED a concurrent rotation waits for it, re-checks `used_at IS NULL` and matches
 * nothing.
 *
 * Timestamps travel as ISO 8601 strings cast to `timestamp(3)`, which keeps their UTC wall
 * clock whatever the adapter or the session's time zone (the columns hold UTC, as Prisma
 * writes them). Without a schema, table names resolve through the connection's `search_path`.
 */
export function rotateStatement(schema?: string): string {
  const table = (name: string) =>
    schema === undefined
      ? quoteIdentifier(name)
      : `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`
  const refreshTokens = table('tessera_refresh_token')
  const accessTokens = table('tessera_access_token')

  return `WITH "used" AS (
  UPDATE ${refreshTokens}
     SET "used_at" = $2::timestamp(3), "successor_id" = $3::text
   WHERE "id" = $1::text AND "used_at" IS NULL AND "revoked_at" IS NULL
     AND "expires_at" > $2::timestamp(3) AND "family_expires_at" > $2::timestamp(3)
  RETURNING "id"
), "successor" AS (
  INSERT INTO ${refreshTokens} ("id", "family_id", "user_id", "token_hash", "generation",
    "parent_id", "device_hash", "created_at", "expires_at", "family_expires_at", "used_at",
    "successor_id", "revoked_at")
  SELECT $3::text, $4::text, $5::text, $6::text, $7::int, $8::text, $9::text,
    $10::timestamp(3), $11::timestamp(3), $12::timestamp(3), $13::timestamp(3), $14::text,
    $15::timestamp(3)
    FROM "used"
  RETURNING "id"
), "issued" AS (
  INSERT INTO ${accessTokens} ("refresh_token_id", "jti", "expires_at")
  SELECT "successor"."id", "given"."jti", "given"."expires_at"::timestamp(3)
    FROM "successor",
         unnest($16::text[], $17::text[]) WITH ORDINALITY AS "given" ("jti", "expires_at", "ord")
   ORDER BY "given"."ord"
  ON CONFLICT DO NOTHING
)
SELECT "id" FROM "successor"`
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
