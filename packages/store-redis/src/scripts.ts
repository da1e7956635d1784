import { createHash } from 'node:crypto'
import type { RedisClient } from './options.js'

// Helpers shared by the scripts. Keys of one user are built from the user base passed in
// ARGV; they carry the same hash tag as the declared keys, so they are on the same slot.
const PRELUDE = `
local function to_map(flat)
  local map = {}
  for i = 1, #flat, 2 do map[flat[i]] = flat[i + 1] end
  return map
end

local function extend(key, ttl)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end

-- Marks every token of a family revoked (keeping an earlier revokedAt) and returns the
-- access-token lists of all of them; ids of tokens that have expired away are dropped.
local function revoke_family(base, family, now)
  local members_key = base .. 'f:' .. family
  local lists = {}
  for _, id in ipairs(redis.call('SMEMBERS', members_key)) do
    local key = base .. 't:' .. id
    if redis.call('EXISTS', key) == 1 then
      redis.call('HSETNX', key, 'revokedAt', now)
      lists[#lists + 1] = redis.call('HGET', key, 'accessTokens') or '[]'
    else
      redis.call('SREM', members_key, id)
    end
  end
  return lists
end
`

/**
 * KEYS: token, family set, families set.
 * ARGV: token id, family id, token ttl, family ttl, field/value pairs...
 */
const CREATE = `${PRELUDE}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
extend(KEYS[2], tonumber(ARGV[4]))
redis.call('SADD', KEYS[3], ARGV[2])
extend(KEYS[3], tonumber(ARGV[4]))
return 1
`

/**
 * The whole rotation decision, atomic because Redis runs one script at a time.
 * KEYS: presented token, successor token, successor's family set, families set.
 * ARGV: [1] user base, [2] now ms, [3] grace ms, [4] presenter device hash, [5] '1' when the
 * presenter has a device hash, [6] access token JSON, [7] ttl for a replay's successor,
 * [8] successor id, [9] successor family id, [10] successor ttl, [11] family ttl,
 * [12...] successor field/value pairs.
 */
const ROTATE = `${PRELUDE}
local base = ARGV[1]
local now = tonumber(ARGV[2])
local record = to_map(redis.call('HGETALL', KEYS[1]))
if not record.id or record.familyId ~= ARGV[9] then return {'invalid', 'not-found'} end
if record.revokedAt then return {'invalid', 'revoked'} end
if tonumber(record.familyExpiresAt) <= now then return {'invalid', 'family-expired'} end
if tonumber(record.expiresAt) <= now then return {'invalid', 'expired'} end

if not record.usedAt then
  if redis.call('EXISTS', KEYS[2]) == 1 then
    return redis.error_reply('refresh token id already exists')
  end
  redis.call('HSET', KEYS[1], 'usedAt', ARGV[2], 'successorId', ARGV[8])
  redis.call('HSET', KEYS[2], unpack(ARGV, 12))
  redis.call('PEXPIRE', KEYS[2], ARGV[10])
  redis.call('SADD', KEYS[3], ARGV[8])
  extend(KEYS[3], tonumber(ARGV[11]))
  extend(KEYS[4], tonumber(ARGV[11]))
  return {'rotated', redis.call('HGETALL', KEYS[2])}
end

local since = now - tonumber(record.usedAt)
local within = since < tonumber(ARGV[3])
local same_device
if ARGV[5] == '1' then
  same_device = record.deviceHash == ARGV[4]
else
  same_device = record.deviceHash == nil
end

if within and same_device and record.successorId then
  local successor_key = base .. 't:' .. record.successorId
  local successor = to_map(redis.call('HGETALL', successor_key))
  if successor.id and not successor.usedAt and not successor.revokedAt then
    local list = successor.accessTokens or '[]'
    if list == '[]' then
      list = '[' .. ARGV[6] .. ']'
    else
      list = string.sub(list, 1, -2) .. ',' .. ARGV[6] .. ']'
    end
    redis.call('HSET', successor_key, 'accessTokens', list)
    extend(successor_key, tonumber(ARGV[7]))
    return {'replayed', redis.call('HGETALL', successor_key), tostring(since)}
  end
end

local lists = revoke_family(base, record.familyId, ARGV[2])
local within_flag = '0'
if within then within_flag = '1' end
return {'reused', redis.call('HGETALL', KEYS[1]), tostring(since), within_flag, lists}
`

/** KEYS: token. ARGV: now ms. Returns the token's access-token list, or nothing. */
const REVOKE_TOKEN = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
redis.call('HSETNX', KEYS[1], 'revokedAt', ARGV[1])
return {redis.call('HGET', KEYS[1], 'accessTokens') or '[]'}
`

/** KEYS: family set. ARGV: user base, family id, now ms. */
const REVOKE_FAMILY = `${PRELUDE}
return revoke_family(ARGV[1], ARGV[2], ARGV[3])
`

/** KEYS: families set. ARGV: user base, now ms. Every family of the user, in one step. */
const REVOKE_USER = `${PRELUDE}
local lists = {}
for _, family in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  for _, list in ipairs(revoke_family(ARGV[1], family, ARGV[2])) do lists[#lists + 1] = list end
  if redis.call('EXISTS', ARGV[1] .. 'f:' .. family) == 0 then
    redis.call('SREM', KEYS[1], family)
  end
end
return lists
`

/**
 * Deletes one token if it has expired at `now` (token or family expiry), and drops it from its
 * family set (and the family from the user's set once empty).
 * KEYS: token. ARGV: user base, now ms. Returns 0 (gone already), 1 (deleted), 2 (deleted, and
 * its family is now empty) or -1 (not expired).
 */
const PURGE = `${PRELUDE}
local record = to_map(redis.call('HGETALL', KEYS[1]))
if not record.id then return 0 end
local now = tonumber(ARGV[2])
if tonumber(record.expiresAt) > now and tonumber(record.familyExpiresAt) > now then return -1 end
redis.call('DEL', KEYS[1])
local family_key = ARGV[1] .. 'f:' .. record.familyId
redis.call('SREM', family_key, record.id)
if redis.call('EXISTS', family_key) == 1 then return 1 end
redis.call('SREM', ARGV[1] .. 'families', record.familyId)
return 2
`

/** A Lua script run with `EVALSHA`, falling back to `EVAL` when the node does not know it. */
export interface Script {
  readonly source: string
  readonly sha: string
  readonly numberOfKeys: number
}

function script(source: string, numberOfKeys: number): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex'), numberOfKeys }
}

export const scripts = {
  create: script(CREATE, 3),
  rotate: script(ROTATE, 4),
  revokeToken: script(REVOKE_TOKEN, 1),
  revokeFamily: script(REVOKE_FAMILY, 1),
  revokeUser: script(REVOKE_USER, 1),
  purge: script(PURGE, 1),
}

/**
 * Runs a script. The script cache is per node and emptied by a restart or `SCRIPT FLUSH`, so a
 * `NOSCRIPT` answer is retried once with the full source (which also caches it again). The
 * client is injected and never modified (no `defineCommand` on the user's instance).
 */
export async function runScript(
  client: RedisClient,
  { source, sha, numberOfKeys }: Script,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  if (keys.length !== numberOfKeys) throw new Error('wrong number of script keys')
  try {
    return await client.evalsha(sha, numberOfKeys, ...keys, ...args)
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
    return await client.eval(source, numberOfKeys, ...keys, ...args)
  }
}
