import { randomBytes } from 'node:crypto'
import type { RefreshTokenRecord } from '../types.js'

const DAY_MS = 24 * 3600 * 1000

/**
 * Creates a stored-form refresh token record for store tests, as `generateRefreshToken` would
 * write the first token of a family at `now`: a random id that is also the family id, a random
 * value in place of the secret's hash, generation 0, device hash `'device-hash-1'`, expiring
 * after 7 days (the family after 30), unused and unrevoked, with one access token valid for 15
 * minutes. `overrides` replaces any field; an overridden `id` becomes the family id too unless
 * `familyId` is given. No real secret exists for it, so `refreshTokens` cannot present it.
 *
 * @example
 * ```ts
 * import { createTestRefreshTokenRecord } from '@tessera/core/testing'
 *
 * const first = createTestRefreshTokenRecord(now, { userId: 'user-2', deviceHash: null })
 * await store.create(first)
 * expect(await store.findById(first.id)).toEqual(first)
 * ```
 */
export function createTestRefreshTokenRecord(
  now: Date,
  overrides: Partial<RefreshTokenRecord> = {},
): RefreshTokenRecord {
  const id = overrides.id ?? randomBytes(16).toString('base64url')
  return {
    id,
    familyId: id,
    userId: 'user-1',
    tokenHash: randomBytes(32).toString('base64url'),
    generation: 0,
    parentId: null,
    deviceHash: 'device-hash-1',
    createdAt: now,
    expiresAt: new Date(now.getTime() + 7 * DAY_MS),
    familyExpiresAt: new Date(now.getTime() + 30 * DAY_MS),
    usedAt: null,
    successorId: null,
    revokedAt: null,
    accessTokens: [
      {
        jti: randomBytes(16).toString('base64url'),
        expiresAt: new Date(now.getTime() + 15 * 60 * 1000),
      },
    ],
    ...overrides,
  }
}
