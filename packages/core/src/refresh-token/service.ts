import type { AccessTokenIssuer } from '../access-token/issue.js'
import { InvalidRefreshTokenError, RefreshTokenReuseError } from '../errors.js'
import type { ResolvedConfig } from '../lib/config.js'
import type {
  Denylist,
  IssuedAccessToken,
  RefreshTokenOptions,
  RefreshTokenRecord,
  RefreshTokenStore,
  TokenPair,
  TokenVersionStore,
} from '../types.js'
import {
  deriveSuccessorSecret,
  formatRefreshToken,
  hashDevice,
  hashesEqual,
  hashSecret,
  parseRefreshToken,
  randomSecret,
  randomTokenId,
  secretMatches,
} from './secrets.js'

/** The refresh-token half of the {@link Tessera} facade. */
export interface RefreshTokenService {
  generateRefreshToken(userId: string, options?: RefreshTokenOptions): Promise<string>
  issueTokens(userId: string, options?: RefreshTokenOptions & { role?: string }): Promise<TokenPair>
  refreshTokens(refreshToken: string, options?: RefreshTokenOptions): Promise<TokenPair>
  revokeRefreshToken(tokenId: string): Promise<void>
  revokeAllUserTokens(userId: string): Promise<void>
  revokeAccessToken(jti: string, exp: number): Promise<void>
  cleanup(): Promise<{ refreshTokens: number; denylist: number }>
}

// Same length as a real secret, so a malformed token costs the same hash as a real one.
const PLACEHOLDER_SECRET = 'A'.repeat(43)

function requireRefreshSetup(config: ResolvedConfig): {
  secret: Uint8Array
  store: RefreshTokenStore
} {
  if (!config.secret) throw new TypeError('refresh tokens need the `secret` option')
  if (!config.refreshTokenStore) {
    throw new TypeError('refresh tokens need the `refreshTokenStore` option')
  }
  return { secret: config.secret, store: config.refreshTokenStore }
}

function requireDenylist(config: ResolvedConfig): Denylist {
  if (!config.denylist) throw new TypeError('revoking access tokens needs the `denylist` option')
  return config.denylist
}

function requireTokenVersionStore(config: ResolvedConfig): TokenVersionStore {
  if (!config.tokenVersionStore) {
    throw new TypeError('revoking all tokens of a user needs the `tokenVersionStore` option')
  }
  return config.tokenVersionStore
}

function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000)
}

function earlier(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b
}

/**
 * Builds the refresh-token operations of a Tessera instance on the resolved options: token
 * families, single-use rotation with reuse detection and grace replay, revocation and cleanup.
 * Internal; users reach it through {@link createTessera}.
 */
export function createRefreshTokenService(
  config: ResolvedConfig,
  issuer: AccessTokenIssuer,
): RefreshTokenService {
  // Revoked families leave their still-valid access tokens on the denylist, when there is one.
  // Without a denylist they stay valid until their (short) expiry: the stateless trade-off.
  async function denylistAll(tokens: readonly IssuedAccessToken[], now: Date): Promise<void> {
    const denylist = config.denylist
    if (!denylist) return
    const entries = tokens.map((token) => ({
      jti: token.jti,
      until: denylistUntil(token.expiresAt),
    }))
    const live = entries.filter((entry) => entry.until.getTime() > now.getTime())
    await Promise.all(live.map((entry) => denylist.add(entry.jti, entry.until)))
  }

  // The verifier accepts a token until `exp` plus the clock tolerance, so a denylist entry
  // must outlive `exp` by the same tolerance, or a revoked token would come back to life.
  function denylistUntil(expiresAt: Date): Date {
    return new Date(expiresAt.getTime() + config.clockToleranceSeconds * 1000)
  }

  async function resolveRole(userId: string): Promise<string | undefined> {
    return config.resolveRole ? await config.resolveRole(userId) : undefined
  }

  /**
   * Login: starts a token family for `userId`, with a linked access token when `access` is
   * given.
   *
   * Racing `revokeAllUserTokens`: it bumps the user's version, then revokes the families that
   * exist. A login reads the version (v0) first, creates the family, then reads it again (v1).
   * The version store orders the bump against each read, and every step below completes
   * (committed, under READ COMMITTED too) before the next starts, so either:
   * - the bump comes before the v0 read: this login postdates the revocation and may live;
   * - the bump comes between the two reads: v1 !== v0, and this login revokes its own family
   *   and denylists its access token before anything leaves this function;
   * - the bump comes after the v1 read: the family was committed before the bump, hence before
   *   `revokeUser` starts, whose UPDATE (or scan) therefore sees and revokes it; the access
   *   token carries v0, older than the bump, so it is stale on checked routes.
   * v0 <= the access token's `ver` <= v1 (versions only grow), so v1 === v0 pins it too.
   * Without a token version store there is no version to compare: a login can then outlive a
   * concurrent logout-everywhere of another instance (this one cannot run it at all).
   */
  async function startFamily(
    userId: string,
    options: RefreshTokenOptions | undefined,
    access: { role: string | undefined } | null,
  ): Promise<{ refreshToken: string; accessToken: string | null }> {
    const { secret: key, store } = requireRefreshSetup(config)
    if (typeof userId !== 'string' || userId === '') throw new TypeError('userId is required')

    const versions = config.tokenVersionStore
    const versionBefore = versions ? await versions.get(userId) : null
    const issued = access ? await issuer.issue(userId, access.role) : null
    const accessToken: IssuedAccessToken | null = issued
      ? { jti: issued.jti, expiresAt: issued.expiresAt }
      : null

    const now = config.clock()
    const familyExpiresAt = addSeconds(now, config.familyLifetimeSeconds)
    const id = randomTokenId()
    const secret = randomSecret()
    const record: RefreshTokenRecord = {
      id,
      familyId: id,
      userId,
      tokenHash: hashSecret(secret),
      generation: 0,
      parentId: null,
      deviceHash: hashDevice(key, options?.device),
      createdAt: now,
      expiresAt: earlier(addSeconds(now, config.refreshTokenTtlSeconds), familyExpiresAt),
      familyExpiresAt,
      usedAt: null,
      successorId: null,
      revokedAt: null,
      accessTokens: accessToken ? [accessToken] : [],
    }
    await store.create(record)

    config.emit({
      type: 'family.started',
      familyId: record.familyId,
      tokenId: id,
      userId,
      deviceHash: record.deviceHash,
      at: now,
    })

    if (versions && (await versions.get(userId)) !== versionBefore) {
      // All tokens of the user were revoked while this login ran: undo it. The tokens never
      // leave this function, so the revocation is belt and braces.
      const revoked = await store.revokeFamily(record.familyId, now)
      config.emit({
        type: 'family.revoked',
        familyId: record.familyId,
        userId,
        reason: 'revoked',
        at: now,
      })
      await denylistAll(accessToken ? [...revoked, accessToken] : revoked, now)
      throw new InvalidRefreshTokenError()
    }
    return { refreshToken: formatRefreshToken(id, secret), accessToken: issued?.token ?? null }
  }

  async function revokeForReuse(
    record: RefreshTokenRecord,
    presentedDeviceHash: string | null,
    detail: { reason: 'used' | 'device-mismatch'; sinceRotationMs: number | null; race: boolean },
    revoked: readonly IssuedAccessToken[],
    now: Date,
  ): Promise<never> {
    config.emit({
      type: 'reuse.detected',
      familyId: record.familyId,
      tokenId: record.id,
      userId: record.userId,
      generation: record.generation,
      deviceHash: record.deviceHash,
      presentedDeviceHash,
      sinceRotationMs: detail.sinceRotationMs,
      likely: detail.race ? 'race' : 'theft',
      reason: detail.reason,
      at: now,
    })
    config.emit({
      type: 'family.revoked',
      familyId: record.familyId,
      userId: record.userId,
      reason: 'reuse',
      at: now,
    })
    await denylistAll(revoked, now)
    throw new RefreshTokenReuseError(record.familyId)
  }

  /**
   * The record of a presented `<id>.<secret>`, or null when the token is malformed, unknown or
   * its secret does not match. Same lookup, hash and constant-time comparison on every path.
   */
  async function findPresented(
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

  async function refreshTokens(
    refreshToken: string,
    options?: RefreshTokenOptions,
  ): Promise<TokenPair> {
    const { secret: key, store } = requireRefreshSetup(config)
    // Every rejection up to the device check costs one store lookup, one hash and one
    // constant-time comparison and no further I/O, so that neither the error nor the timing
    // tells malformed, unknown, wrong-secret, revoked and expired tokens apart.
    const presented = await findPresented(store, refreshToken)
    const now = config.clock()
    if (!presented) throw new InvalidRefreshTokenError()
    const { record, secret: presentedSecret } = presented
    const nowMs = now.getTime()
    const expired = record.expiresAt.getTime() <= nowMs || record.familyExpiresAt.getTime() <= nowMs
    if (record.revokedAt || expired) throw new InvalidRefreshTokenError()

    const presentedDeviceHash = hashDevice(key, options?.device)
    if (record.deviceHash !== null && record.deviceHash !== presentedDeviceHash) {
      const revoked = await store.revokeFamily(record.familyId, now)
      const sinceRotationMs = record.usedAt ? nowMs - record.usedAt.getTime() : null
      return revokeForReuse(
        record,
        presentedDeviceHash,
        { reason: 'device-mismatch', sinceRotationMs, race: false },
        revoked,
        now,
      )
    }

    const issued = await issuer.issue(record.userId, await resolveRole(record.userId))
    const accessToken: IssuedAccessToken = { jti: issued.jti, expiresAt: issued.expiresAt }
    const successorSecret = deriveSuccessorSecret(key, presentedSecret)
    const outcome = await store.rotate({
      tokenId: record.id,
      successor: {
        id: randomTokenId(),
        familyId: record.familyId,
        userId: record.userId,
        tokenHash: hashSecret(successorSecret),
        generation: record.generation + 1,
        parentId: record.id,
        deviceHash: record.deviceHash,
        createdAt: now,
        expiresAt: earlier(addSeconds(now, config.refreshTokenTtlSeconds), record.familyExpiresAt),
        familyExpiresAt: record.familyExpiresAt,
        usedAt: null,
        successorId: null,
        revokedAt: null,
        accessTokens: [accessToken],
      },
      accessToken,
      deviceHash: presentedDeviceHash,
      graceMs: config.rotationGraceSeconds * 1000,
      now,
    })

    switch (outcome.status) {
      case 'invalid':
        throw new InvalidRefreshTokenError()
      case 'reused':
        return revokeForReuse(
          outcome.record,
          presentedDeviceHash,
          {
            reason: 'used',
            sinceRotationMs: outcome.sinceRotationMs,
            race: outcome.withinGrace,
          },
          outcome.revoked,
          now,
        )
      case 'replayed': {
        // The stored successor must be the one derived from this very secret; otherwise the
        // server key changed in between and the successor cannot be reproduced.
        if (!hashesEqual(hashSecret(successorSecret), outcome.successor.tokenHash)) {
          throw new InvalidRefreshTokenError()
        }
        config.emit({
          type: 'token.grace-replay',
          familyId: record.familyId,
          tokenId: record.id,
          successorId: outcome.successor.id,
          userId: record.userId,
          generation: outcome.successor.generation,
          deviceHash: record.deviceHash,
          sinceRotationMs: outcome.sinceRotationMs,
          at: now,
        })
        return {
          accessToken: issued.token,
          refreshToken: formatRefreshToken(outcome.successor.id, successorSecret),
        }
      }
      case 'rotated':
        config.emit({
          type: 'token.rotated',
          familyId: record.familyId,
          tokenId: record.id,
          successorId: outcome.successor.id,
          userId: record.userId,
          generation: outcome.successor.generation,
          deviceHash: record.deviceHash,
          at: now,
        })
        return {
          accessToken: issued.token,
          refreshToken: formatRefreshToken(outcome.successor.id, successorSecret),
        }
    }
  }

  return {
    async generateRefreshToken(userId, options) {
      return (await startFamily(userId, options, null)).refreshToken
    },

    async issueTokens(userId, options) {
      const pair = await startFamily(userId, options, { role: options?.role })
      // startFamily returns an access token whenever it is asked for one.
      return { accessToken: pair.accessToken!, refreshToken: pair.refreshToken }
    },

    refreshTokens,

    async revokeRefreshToken(tokenId) {
      const { store } = requireRefreshSetup(config)
      if (typeof tokenId !== 'string' || tokenId === '') return
      // A whole `<id>.<secret>` (a logout route holding the cookie) revokes only when its secret
      // matches: knowing an id (it appears in RefreshTokenReuseError.familyId) is not enough.
      // A wrong secret is ignored like an unknown id, so the call tells nothing about ids.
      // A bare id is the administrative path and must come from server-side code only.
      const record = tokenId.includes('.')
        ? ((await findPresented(store, tokenId))?.record ?? null)
        : await store.findById(tokenId)
      if (!record) return

      const now = config.clock()
      const revoked = await store.revokeFamily(record.familyId, now)
      config.emit({
        type: 'family.revoked',
        familyId: record.familyId,
        userId: record.userId,
        reason: 'logout',
        at: now,
      })
      await denylistAll(revoked, now)
    },

    async revokeAllUserTokens(userId) {
      const { store } = requireRefreshSetup(config)
      const versions = requireTokenVersionStore(config)
      const now = config.clock()

      // Bump first: from here on, every access token issued before is stale on checked routes,
      // even if revoking the refresh tokens fails halfway, and a login still running sees the
      // change when it re-reads the version (see startFamily). Revoking before bumping would
      // let a family created in between escape both.
      const tokenVersion = await versions.bump(userId)
      const revoked = await store.revokeUser(userId, now)
      await denylistAll(revoked, now)
      config.emit({ type: 'user.revoked', userId, tokenVersion, at: now })
    },

    async revokeAccessToken(jti, exp) {
      const denylist = requireDenylist(config)
      if (typeof jti !== 'string' || jti === '') throw new TypeError('jti is required')
      if (!Number.isFinite(exp)) throw new TypeError('exp must be seconds since the epoch')
      const until = denylistUntil(new Date(exp * 1000))
      if (until.getTime() <= config.clock().getTime()) return
      await denylist.add(jti, until)
    },

    async cleanup() {
      const now = config.clock()
      const [refreshTokens, denylist] = await Promise.all([
        config.refreshTokenStore ? config.refreshTokenStore.deleteExpired(now) : 0,
        config.denylist ? config.denylist.deleteExpired(now) : 0,
      ])
      return { refreshTokens, denylist }
    },
  }
}
