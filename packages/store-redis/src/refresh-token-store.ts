import type {
  IssuedAccessToken,
  RefreshTokenRecord,
  RefreshTokenStore,
  RotateOutcome,
} from '@tessera/core'
import { runCommand, unavailable, withTimeout } from './command.js'
import { createKeys, EXPIRY_SHARDS, userKeys } from './keys.js'
import { type RedisStoreOptions, resolveStoreOptions } from './options.js'
import {
  decodeAccessTokens,
  decodeFields,
  decodeRecord,
  encodeAccessToken,
  encodeRecord,
  familyRetainedUntil,
  RECORD_FIELDS,
  retentionMs,
  STAND_IN_VALUES,
  tokenRetainedUntil,
} from './record.js'
import { runScript, scripts } from './scripts.js'

/** Options of {@link createRedisRefreshTokenStore}. */
export interface RedisRefreshTokenStoreOptions extends RedisStoreOptions {}

const DAY_MS = 24 * 3600 * 1000

type Flat = string[]
type RotateReply =
  | ['invalid', 'not-found' | 'revoked' | 'expired' | 'family-expired']
  | ['rotated', Flat]
  | ['replayed', Flat, string]
  | ['reused', Flat, string, '0' | '1', string[]]

function record(flat: Flat): RefreshTokenRecord {
  const decoded = decodeRecord(flat)
  if (!decoded) throw new Error('rotation script returned no record')
  return decoded
}

// Access tokens still valid at `now`, from the JSON lists the revocation scripts return.
function unexpired(lists: readonly string[], now: Date): IssuedAccessToken[] {
  return lists
    .flatMap((list) => decodeAccessTokens(list))
    .filter((token) => token.expiresAt.getTime() > now.getTime())
}

/**
 * Creates a {@link RefreshTokenStore} on Redis (single node or Cluster). Rotation is one Lua
 * script: reading the presented token, deciding between rotated / replayed / reused / invalid,
 * inserting the successor or revoking the whole family happen in one atomic step on the
 * server, so the decision holds across any number of app instances.
 *
 * Keys expire with Redis TTLs (a used token is kept until its own expiry, so that a replay is
 * still recognised as reuse), so no cleanup job is needed; `deleteExpired(now)` deletes the
 * tokens already expired at `now` (the caller's clock, which may run ahead of Redis' TTLs)
 * and returns how many it deleted. Every failure (unreachable, timeout) throws core's
 * `StoreUnavailableError`.
 *
 * `revokeUser` revokes every family of the user in one script, so it is atomic with respect
 * to logins and rotations of that user: a family whose `create` finished before it is revoked,
 * one created after it is not.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * import { createRedisRefreshTokenStore } from '@tessera/store-redis'
 *
 * const client = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 1 })
 * const refreshTokenStore = createRedisRefreshTokenStore({ client, prefix: 'myapp:' })
 * ```
 */
export function createRedisRefreshTokenStore(
  options: RedisRefreshTokenStoreOptions,
): RefreshTokenStore {
  const { client, prefix, commandTimeoutMs } = resolveStoreOptions(options)
  const keys = createKeys(prefix)

  const run = <T>(operation: () => Promise<T>, what: string) =>
    runCommand(operation, commandTimeoutMs, what)

  async function userOf(indexKey: string): Promise<string | null> {
    return await client.get(indexKey)
  }

  // The expiry index entry is written before the record, like the lookup keys. Core never
  // creates a token that outlives its family, but the store contract allows one (its suite
  // stores a family that ends before the token): the earlier of the two is when it expires.
  function indexExpiry(record: RefreshTokenRecord) {
    const expiresAtMs = Math.min(record.expiresAt.getTime(), record.familyExpiresAt.getTime())
    const member = JSON.stringify([record.userId, record.id])
    return client.zadd(keys.expiryOf(record.id), expiresAtMs, member)
  }

  // Deletes the expired tokens of one expiry shard, in batches; returns how many.
  // Each command gets the timeout; the whole walk may take longer on a large backlog.
  async function purgeShard(shard: number, now: Date): Promise<number> {
    const key = keys.expiry(shard)
    const bounded = <T>(command: Promise<T>) => withTimeout(command, commandTimeoutMs)
    let deleted = 0
    for (;;) {
      const members = await bounded(
        client.zrangebyscore(key, '-inf', now.getTime(), 'LIMIT', 0, 200),
      )
      if (members.length === 0) return deleted
      for (const member of members) {
        const [userId, tokenId] = JSON.parse(member) as [string, string]
        const base = keys.userBase(userId)
        const result = (await bounded(
          runScript(client, scripts.purge, [userKeys.token(base, tokenId)], [base, now.getTime()]),
        )) as number
        if (result > 0) {
          deleted++
          await bounded(client.del(keys.tokenIndex(tokenId)))
        }
        await bounded(client.zrem(key, member))
      }
    }
  }

  return {
    async create(record) {
      const base = keys.userBase(record.userId)
      const referenceMs = record.createdAt.getTime()
      const tokenTtl = retentionMs(tokenRetainedUntil(record), referenceMs)
      const familyTtl = retentionMs(familyRetainedUntil(record), referenceMs)

      const created = await run(async () => {
        // The lookup keys live on other slots, so they are written first: a failure after
        // this point leaves at most a lookup key pointing at nothing, which reads as unknown.
        const indexed = await client.set(
          keys.tokenIndex(record.id),
          record.userId,
          'PX',
          tokenTtl,
          'NX',
        )
        if (indexed === null) return false
        await Promise.all([
          client.set(keys.familyIndex(record.familyId), record.userId, 'PX', familyTtl),
          indexExpiry(record),
          // Keeps the expiry index bounded without a cleanup job: entries this old belong to
          // records that Redis has long deleted by TTL.
          client.zremrangebyscore(keys.expiryOf(record.id), '-inf', referenceMs - DAY_MS),
        ])
        const reply = await runScript(
          client,
          scripts.create,
          [
            userKeys.token(base, record.id),
            userKeys.family(base, record.familyId),
            userKeys.families(base),
          ],
          [record.id, record.familyId, tokenTtl, familyTtl, ...encodeRecord(record)],
        )
        return reply === 1
      }, 'create')
      if (!created) throw new Error('refresh token id already exists')
    },

    async findById(id) {
      return await run(async () => {
        const userId = await userOf(keys.tokenIndex(id))
        // The record read happens for an unknown id too, on a key that never exists: skipping it
        // would halve the response time and tell a caller which token ids are real. One script
        // cannot do both reads, as the index key and the record key may sit on different slots.
        // HMGET answers with one entry per field either way, so the replies differ less in size
        // than HGETALL's, and a stand-in record is decoded so that the client work matches too.
        const recordKey =
          userId === null ? keys.absentToken(id) : userKeys.token(keys.userBase(userId), id)
        const values = await client.hmget(recordKey, ...RECORD_FIELDS)
        const decoded = decodeFields(userId === null ? STAND_IN_VALUES : values)
        return userId === null ? null : decoded
      }, 'findById')
    },

    async rotate(request) {
      const { successor, now } = request
      const base = keys.userBase(successor.userId)
      const nowMs = now.getTime()
      const successorTtl = retentionMs(tokenRetainedUntil(successor), nowMs)
      const familyTtl = retentionMs(familyRetainedUntil(successor), nowMs)
      const replayTtl = retentionMs(request.accessToken.expiresAt.getTime(), nowMs)

      const reply = await run(async () => {
        // Written before the script so that a successor, once stored, can always be found.
        // When the script decides otherwise, the spare lookup key points at nothing.
        await Promise.all([
          client.set(keys.tokenIndex(successor.id), successor.userId, 'PX', successorTtl),
          client.pexpire(keys.familyIndex(successor.familyId), familyTtl, 'GT'),
          indexExpiry(successor),
        ])
        return (await runScript(
          client,
          scripts.rotate,
          [
            userKeys.token(base, request.tokenId),
            userKeys.token(base, successor.id),
            userKeys.family(base, successor.familyId),
            userKeys.families(base),
          ],
          [
            base,
            nowMs,
            request.graceMs,
            request.deviceHash ?? '',
            request.deviceHash === null ? '0' : '1',
            encodeAccessToken(request.accessToken),
            replayTtl,
            successor.id,
            successor.familyId,
            successorTtl,
            familyTtl,
            ...encodeRecord(successor),
          ],
        )) as RotateReply
      }, 'rotate')

      return toOutcome(reply, now)
    },

    async revoke(id, now) {
      return await run(async () => {
        const userId = await userOf(keys.tokenIndex(id))
        if (userId === null) return []
        const lists = (await runScript(
          client,
          scripts.revokeToken,
          [userKeys.token(keys.userBase(userId), id)],
          [now.getTime()],
        )) as string[]
        return unexpired(lists, now)
      }, 'revoke')
    },

    async revokeFamily(familyId, now) {
      return await run(async () => {
        const userId = await userOf(keys.familyIndex(familyId))
        if (userId === null) return []
        const base = keys.userBase(userId)
        const lists = (await runScript(
          client,
          scripts.revokeFamily,
          [userKeys.family(base, familyId)],
          [base, familyId, now.getTime()],
        )) as string[]
        return unexpired(lists, now)
      }, 'revokeFamily')
    },

    async revokeUser(userId, now) {
      return await run(async () => {
        const base = keys.userBase(userId)
        const lists = (await runScript(
          client,
          scripts.revokeUser,
          [userKeys.families(base)],
          [base, now.getTime()],
        )) as string[]
        return unexpired(lists, now)
      }, 'revokeUser')
    },

    async deleteExpired(now) {
      // Keys carry TTLs, so Redis deletes expired tokens by itself shortly after their expiry;
      // this deletes them as of `now` (the caller's clock) and counts them, like other stores.
      const shards = Array.from({ length: EXPIRY_SHARDS }, (_, shard) => shard)
      try {
        const counts = await Promise.all(shards.map((shard) => purgeShard(shard, now)))
        return counts.reduce((total, count) => total + count, 0)
      } catch (error) {
        throw unavailable(error, 'deleteExpired')
      }
    },
  }
}

function toOutcome(reply: RotateReply, now: Date): RotateOutcome {
  switch (reply[0]) {
    case 'invalid':
      return { status: 'invalid', reason: reply[1] }
    case 'rotated':
      return { status: 'rotated', successor: record(reply[1]) }
    case 'replayed':
      return { status: 'replayed', successor: record(reply[1]), sinceRotationMs: Number(reply[2]) }
    case 'reused':
      return {
        status: 'reused',
        record: record(reply[1]),
        sinceRotationMs: Number(reply[2]),
        withinGrace: reply[3] === '1',
        revoked: unexpired(reply[4], now),
      }
  }
}
