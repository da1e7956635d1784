/**
 * Shared types: claims, keys, store interfaces, events and options.
 *
 * @module
 */
import type { KeyObject } from 'node:crypto'

/** Signature algorithms Tessera signs and verifies with. Never `none`, never HMAC. */
export type SigningAlgorithm = 'ES256' | 'RS256' | 'EdDSA'

/** Life-cycle state of a key in a {@link KeySet}. */
export type KeyState = 'next' | 'active' | 'retiring' | 'retired'

/** One key of a key set. `kid` is the RFC 7638 thumbprint of the public key. */
export interface ManagedKey {
  readonly kid: string
  readonly alg: SigningAlgorithm
  readonly state: KeyState
  readonly publicKey: KeyObject
  /** Absent for verify-only key sets (for example one built from a JWKS). */
  readonly privateKey: KeyObject | null
  readonly createdAt: Date
  /** When the key entered its current state. */
  readonly stateChangedAt: Date
}

/**
 * Signing keys with a `kid` each: at most one `active` (signs), `next` and `retiring`
 * keys verify only, `retired` keys are neither published nor accepted.
 */
export interface KeySet {
  readonly keys: readonly ManagedKey[]
}

/** The claims of an access token as Tessera issues them. */
export interface AccessTokenClaims {
  iss: string
  sub: string
  aud: string | string[]
  exp: number
  iat: number
  nbf?: number
  jti: string
  role?: string
  /** Token version of the user when the token was issued. */
  ver?: number
  [claim: string]: unknown
}

/** An access token's `jti` and expiry, remembered so a revoked family can denylist it. */
export interface IssuedAccessToken {
  jti: string
  expiresAt: Date
}

/** A refresh token as stored. The secret itself is never stored, only its hash. */
export interface RefreshTokenRecord {
  /** Public id: the part of `<id>.<secret>` before the dot. */
  id: string
  familyId: string
  userId: string
  /** base64url SHA-256 of the secret. */
  tokenHash: string
  /** 0 for the token issued at login, +1 per rotation. */
  generation: number
  parentId: string | null
  /** Keyed hash of the device identifier given at login, or null when unbound. */
  deviceHash: string | null
  createdAt: Date
  expiresAt: Date
  /** Absolute end of the token family, copied onto every member. */
  familyExpiresAt: Date
  /** Set when this token was rotated. */
  usedAt: Date | null
  successorId: string | null
  revokedAt: Date | null
  /** Access tokens issued together with this refresh token (rotation and grace replays). */
  accessTokens: IssuedAccessToken[]
}

/** Input of the atomic rotation step. */
export interface RotateRequest {
  /** Id of the presented token (its secret has already been checked by the caller). */
  tokenId: string
  /** The record to insert when the presented token is still unused. */
  successor: RefreshTokenRecord
  /** The access token issued with this rotation (or replay). */
  accessToken: IssuedAccessToken
  /** Device hash of the presenter; a grace replay requires it to equal the record's. */
  deviceHash: string | null
  /** Grace period for the honest race; 0 means strict. */
  graceMs: number
  now: Date
}

/**
 * Outcome of the atomic rotation step, decided inside the store so that it holds across
 * app instances:
 * - `rotated`: the token was unused; it is now used and `successor` was inserted.
 * - `replayed`: the token was used less than `graceMs` ago, same device, and its successor
 *   is still unused and unrevoked; nothing is revoked, `successor` is the stored one, and
 *   `request.accessToken` has been appended to its `accessTokens` (so a later family revoke
 *   denylists it too). `request.successor` is discarded.
 * - `reused`: any other presentation of a used token; the family has been revoked in the
 *   same step and `revoked` lists its access tokens that have not expired yet.
 * - `invalid`: unknown, revoked or expired (token or family); nothing changed.
 *
 * Checks run in this order: not found, revoked, family expired, expired, unused, replay.
 * Expiry is inclusive: a token whose `expiresAt` equals `now` has expired.
 */
export type RotateOutcome =
  | { status: 'rotated'; successor: RefreshTokenRecord }
  | { status: 'replayed'; successor: RefreshTokenRecord; sinceRotationMs: number }
  | {
      status: 'reused'
      record: RefreshTokenRecord
      sinceRotationMs: number
      withinGrace: boolean
      revoked: IssuedAccessToken[]
    }
  | { status: 'invalid'; reason: 'not-found' | 'revoked' | 'expired' | 'family-expired' }

/** Persistence of refresh tokens. Implementations: memory (core), Prisma, Redis. */
export interface RefreshTokenStore {
  /** Inserts the first token of a new family. */
  create(record: RefreshTokenRecord): Promise<void>
  findById(id: string): Promise<RefreshTokenRecord | null>
  /** The one atomic step of rotation; see {@link RotateOutcome}. */
  rotate(request: RotateRequest): Promise<RotateOutcome>
  /** Revokes one token. Returns its unexpired access tokens. */
  revoke(id: string, now: Date): Promise<IssuedAccessToken[]>
  /** Revokes every token of a family. Returns their unexpired access tokens. */
  revokeFamily(familyId: string, now: Date): Promise<IssuedAccessToken[]>
  /** Revokes every token of a user. Returns their unexpired access tokens. */
  revokeUser(userId: string, now: Date): Promise<IssuedAccessToken[]>
  /** Deletes tokens whose expiry (or family expiry) is at or before `now`. Returns how many. */
  deleteExpired(now: Date): Promise<number>
}

/** Revoked access-token `jti`s, each kept until the token's own expiry. */
export interface Denylist {
  add(jti: string, expiresAt: Date): Promise<void>
  has(jti: string): Promise<boolean>
  /**
   * Removes entries whose expiry has passed. Returns how many (stores that expire natively
   * may return 0).
   */
  deleteExpired(now: Date): Promise<number>
}

/** Per-user counter; bumping it invalidates older access tokens on revocation-checked routes. */
export interface TokenVersionStore {
  /** Current version; 0 for a user never bumped. */
  get(userId: string): Promise<number>
  /** Increments and returns the new version. */
  bump(userId: string): Promise<number>
}

/** Audit events. They carry ids and hashes, never token secrets. */
export type TesseraEvent =
  | {
      type: 'family.started'
      familyId: string
      tokenId: string
      userId: string
      deviceHash: string | null
      at: Date
    }
  | {
      type: 'token.rotated'
      familyId: string
      tokenId: string
      successorId: string
      userId: string
      generation: number
      deviceHash: string | null
      at: Date
    }
  | {
      type: 'token.grace-replay'
      familyId: string
      tokenId: string
      successorId: string
      userId: string
      generation: number
      deviceHash: string | null
      sinceRotationMs: number
      at: Date
    }
  | {
      type: 'reuse.detected'
      familyId: string
      tokenId: string
      userId: string
      generation: number
      deviceHash: string | null
      /** Hash of the device that presented the token. */
      presentedDeviceHash: string | null
      sinceRotationMs: number | null
      /** `race` when inside the grace period (likely two tabs), `theft` otherwise. */
      likely: 'race' | 'theft'
      reason: 'used' | 'device-mismatch'
      at: Date
    }
  | {
      type: 'family.revoked'
      familyId: string
      userId: string
      reason: 'reuse' | 'logout' | 'revoked'
      at: Date
    }
  | { type: 'user.revoked'; userId: string; tokenVersion: number; at: Date }
  | { type: 'revocation.unavailable'; jti: string; at: Date }

/** Options of {@link createTessera}. */
export interface TesseraOptions {
  /** Signing and verification keys. */
  keys: KeySet
  /** Value of `iss`, matched exactly on verification. */
  issuer: string
  /** Value of `aud`, matched exactly on verification. */
  audience: string
  /**
   * Lifetime of access tokens.
   * @default 900
   */
  accessTokenTtlSeconds?: number
  /**
   * Allowed clock skew for `exp`, `nbf` and `iat`.
   * @default 30
   */
  clockToleranceSeconds?: number
  /**
   * Largest accepted access token, checked before any parsing.
   * @default 8192
   */
  maxTokenBytes?: number
  /**
   * Algorithm allow-list for verification.
   * @default the algorithms of the key set
   */
  algorithms?: SigningAlgorithm[]
  /**
   * Server-side secret (32+ bytes) used to derive successor secrets and hash device ids.
   * Required for refresh tokens. Keep it out of source control.
   */
  secret?: string | Uint8Array
  refreshTokenStore?: RefreshTokenStore
  denylist?: Denylist
  tokenVersionStore?: TokenVersionStore
  /**
   * Lifetime of each refresh token.
   * @default 604800 (7 days)
   */
  refreshTokenTtlSeconds?: number
  /**
   * Absolute lifetime of a token family, after which rotation is refused.
   * @default 2592000 (30 days)
   */
  familyLifetimeSeconds?: number
  /**
   * Grace period for a replay of the immediate predecessor (two tabs, lost response).
   * 0 makes rotation strict.
   * @default 5
   */
  rotationGraceSeconds?: number
  /**
   * Role for the access token issued on rotation (roles can change during a family's life).
   * @default no role claim
   */
  resolveRole?: (userId: string) => Promise<string | undefined> | string | undefined
  /** Receives audit events. Errors it throws are swallowed. */
  onEvent?: (event: TesseraEvent) => void
  /**
   * Clock, injectable for tests.
   * @default () => new Date()
   */
  clock?: () => Date
  /**
   * Remembers successfully verified access tokens (a bounded LRU keyed by the whole token)
   * so that a client presenting the same token again skips the signature check. A hit is
   * served only while the token is inside its `nbf`/`iat`..`exp` window by this instance's
   * clock, and never outlives `exp`; failures are never remembered; revocation
   * (`checkRevocation`) is still checked on every call. The cache belongs to this instance
   * and its key set, issuer, audience and algorithms: a new key set means a new instance.
   * `false` verifies every token in full.
   * @default false
   */
  verifiedTokenCache?: { maxEntries: number } | false
}

/** Options of a single `verifyAccessToken` call. */
export interface VerifyOptions {
  /**
   * Also check the denylist and the user's token version (I/O). Use on sensitive routes.
   * @default false
   */
  checkRevocation?: boolean
}

/** Options of refresh token issue and rotation. */
export interface RefreshTokenOptions {
  /** Device identifier (for example a per-install random id). Only its keyed hash is stored. */
  device?: string
}

/** What a successful verification returns. */
export interface VerifiedAccessToken {
  /** The verified claims, deeply frozen: copy them before changing anything. */
  readonly claims: Readonly<AccessTokenClaims>
  /** `kid` of the key that verified the signature. */
  kid: string
}

/** An access token and a refresh token issued together. */
export interface TokenPair {
  accessToken: string
  refreshToken: string
}
