import type { ResolvedConfig } from '../lib/config.js'
import type { RefreshTokenRecord, RefreshTokenStore } from '../types.js'
import { parseRefreshToken, randomTokenId, secretMatches } from './secrets.js'

// Same length as a real secret, so a malformed token costs the same hash as a real one.
const PLACEHOLDER_SECRET = 'A'.repeat(43)

/** The fields that differ between the first token of a family and a successor. */
export type NewRecordFields = Pick<
  RefreshTokenRecord,
  | 'id'
  | 'familyId'
  | 'userId'
  | 'tokenHash'
  | 'generation'
  | 'parentId'
  | 'deviceHash'
  | 'familyExpiresAt'
  | 'accessTokens'
>

/** The refresh-token options every refresh operation needs; throws when one is missing. */
export function requireRefreshSetup(config: ResolvedConfig): {
  secret: Uint8Array
  store: RefreshTokenStore
} {
  if (!config.secret) throw new TypeError('refresh tokens need the `secret` option')
  if (!config.refreshTokenStore) {
    throw new TypeError('refresh tokens need the `refreshTokenStore` option')
  }
  return { secret: config.secret, store: config.refreshTokenStore }
}

/**
 * A record created at `now`: unused, unrevoked, expiring after the refresh-token TTL but never
 * after its family.
 */
export function newRecord(
  config: ResolvedConfig,
  fields: NewRecordFields,
  now: Date,
): RefreshTokenRecord {
  const ttlEnd = new Date(now.getTime() + config.refreshTokenTtlSeconds * 1000)
  const expiresAt =
    ttlEnd.getTime() <= fields.familyExpiresAt.getTime() ? ttlEnd : fields.familyExpiresAt
  return {
    ...fields,
    createdAt: now,
    expiresAt,
    usedAt: null,
    successorId: null,
    revokedAt: null,
  }
}

/**
 * The record of a presented `<id>.<secret>`, or null when the token is malformed, unknown or
 * its secret does not match. Same lookup, hash and constant-time comparison on every path.
 */
export async function findPresented(
  store: RefreshTokenStore,
  token: unknown,
): Promise<{ record: RefreshTokenRecord; secret: string } | null> {
  const parsed = parseRefreshToken(token)
  // A malformed token looks up a fresh random id of the same shape (never stored: 128 random
  // bits), so that it costs the same store round trip as an unknown one.
  const found = await store.findById(parsed ? parsed.id : randomTokenId())
  const record = parsed ? found : null
  const matches = secretMatches(parsed?.secret ?? PLACEHOLDER_SECRET, record?.tokenHash ?? null)
  return parsed && record && matches ? { record, secret: parsed.secret } : null
}
