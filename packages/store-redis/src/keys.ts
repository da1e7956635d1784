/**
 * The key scheme. Every key starts with the configured prefix. The refresh-token state of one
 * user (all of their token families) lives under one hash tag, `{u:<userId>}`, so every key a
 * rotation or revocation script touches hashes to the same Redis Cluster slot. The lookup keys
 * that map a token id or a family id to its user are read on their own and may live on any slot.
 *
 * The user id is percent-encoded inside the tag so that no id can close the tag early or leave
 * it empty (an empty tag would hash the whole key and scatter a user's keys over many slots).
 */

export const EXPIRY_SHARDS = 16

function expiryShard(tokenId: string): number {
  let sum = 0
  for (let index = 0; index < tokenId.length; index++) sum += tokenId.charCodeAt(index)
  return sum % EXPIRY_SHARDS
}

/** Builds the keys of one prefix. */
export function createKeys(prefix: string) {
  return {
    /** Denylisted `jti`; the value is the token's expiry in ms. */
    denylist: (jti: string) => `${prefix}dl:${jti}`,
    /** Token version counter of a user. */
    tokenVersion: (userId: string) => `${prefix}ver:${encodeURIComponent(userId)}`,
    /** Token id -> user id, so a token can be found without knowing its user. */
    tokenIndex: (tokenId: string) => `${prefix}rt-id:${tokenId}`,
    /** Family id -> user id, read before `revokeFamily`. */
    familyIndex: (familyId: string) => `${prefix}rt-family:${familyId}`,
    /**
     * Sorted sets of `[userId, tokenId]` scored by the token's expiry, for `deleteExpired`.
     * Sharded so that no single Cluster slot takes every write.
     */
    expiry: (shard: number) => `${prefix}rt-expiry:${shard}`,
    expiryOf: (tokenId: string) => `${prefix}rt-expiry:${expiryShard(tokenId)}`,
    /** Common start of every key of one user's refresh tokens; carries the hash tag. */
    userBase: (userId: string) => `${prefix}rt:{u:${encodeURIComponent(userId)}}:`,
    /**
     * A record key that never exists, read by `findById` when a token id is unknown so that an
     * unknown id costs the same two commands as a known one. `%z` is never produced by the
     * percent-encoding in `userBase`, so it cannot name a real user's key; the id in the tag
     * spreads these reads over the Cluster slots like real record reads.
     */
    absentToken: (tokenId: string) => `${prefix}rt:{u:%z${tokenId}}:t:${tokenId}`,
  }
}

export type Keys = ReturnType<typeof createKeys>

/**
 * Keys under a user base. The Lua scripts build the same names from the base (`t:` and `f:`),
 * which is safe in a Cluster because they share the base's hash tag.
 */
export const userKeys = {
  /** Hash holding one refresh-token record. */
  token: (base: string, tokenId: string) => `${base}t:${tokenId}`,
  /** Set of the token ids of one family. */
  family: (base: string, familyId: string) => `${base}f:${familyId}`,
  /** Set of the family ids of the user. */
  families: (base: string) => `${base}families`,
}
