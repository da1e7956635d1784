import type {
  IssuedAccessToken,
  RefreshTokenRecord,
  RefreshTokenStore,
  RotateOutcome,
  RotateRequest,
} from '../types.js'

function copy(record: RefreshTokenRecord): RefreshTokenRecord {
  return { ...record, accessTokens: record.accessTokens.map((token) => ({ ...token })) }
}

function isExpired(record: RefreshTokenRecord, now: Date): boolean {
  const nowMs = now.getTime()
  return record.expiresAt.getTime() <= nowMs || record.familyExpiresAt.getTime() <= nowMs
}

/**
 * Creates an in-process {@link RefreshTokenStore} for tests and single-process apps. State
 * lives in this process only: a second app instance would not see it.
 *
 * `rotate` is atomic because its body never awaits between reading the presented token and
 * writing the outcome, so no other call can interleave.
 *
 * @example
 * ```ts
 * import { createMemoryRefreshTokenStore, createTessera } from '@tessera/core'
 *
 * const tessera = createTessera({ ...options, refreshTokenStore: createMemoryRefreshTokenStore() })
 * ```
 */
export function createMemoryRefreshTokenStore(): RefreshTokenStore {
  const records = new Map<string, RefreshTokenRecord>()

  // Marks every matching record revoked and collects the access tokens still valid at `now`.
  function revokeWhere(match: (record: RefreshTokenRecord) => boolean, now: Date) {
    const revoked: IssuedAccessToken[] = []
    for (const record of records.values()) {
      if (!match(record)) continue
      record.revokedAt ??= now
      for (const token of record.accessTokens) {
        if (token.expiresAt.getTime() > now.getTime()) revoked.push({ ...token })
      }
    }
    return revoked
  }

  function rotateNow(request: RotateRequest): RotateOutcome {
    const { now } = request
    const record = records.get(request.tokenId)
    if (!record) return { status: 'invalid', reason: 'not-found' }
    if (record.revokedAt) return { status: 'invalid', reason: 'revoked' }
    if (record.familyExpiresAt.getTime() <= now.getTime()) {
      return { status: 'invalid', reason: 'family-expired' }
    }
    if (record.expiresAt.getTime() <= now.getTime()) return { status: 'invalid', reason: 'expired' }

    if (!record.usedAt) {
      const successor = copy(request.successor)
      records.set(successor.id, successor)
      record.usedAt = now
      record.successorId = successor.id
      return { status: 'rotated', successor: copy(successor) }
    }

    const sinceRotationMs = now.getTime() - record.usedAt.getTime()
    const withinGrace = sinceRotationMs < request.graceMs
    const successor = record.successorId ? records.get(record.successorId) : undefined
    const replayable =
      withinGrace &&
      request.deviceHash === record.deviceHash &&
      successor !== undefined &&
      !successor.usedAt &&
      !successor.revokedAt
    if (replayable) {
      successor.accessTokens.push({ ...request.accessToken })
      return { status: 'replayed', successor: copy(successor), sinceRotationMs }
    }

    const revoked = revokeWhere((member) => member.familyId === record.familyId, now)
    return { status: 'reused', record: copy(record), sinceRotationMs, withinGrace, revoked }
  }

  return {
    async create(record) {
      if (records.has(record.id)) throw new Error('refresh token id already exists')
      records.set(record.id, copy(record))
    },

    async findById(id) {
      const record = records.get(id)
      return record ? copy(record) : null
    },

    async rotate(request) {
      return rotateNow(request)
    },

    async revoke(id, now) {
      return revokeWhere((record) => record.id === id, now)
    },

    async revokeFamily(familyId, now) {
      return revokeWhere((record) => record.familyId === familyId, now)
    },

    async revokeUser(userId, now) {
      return revokeWhere((record) => record.userId === userId, now)
    },

    async deleteExpired(now) {
      let deleted = 0
      for (const [id, record] of records) {
        if (!isExpired(record, now)) continue
        records.delete(id)
        deleted++
      }
      return deleted
    },
  }
}
