import { SIGNING_ALGORITHMS } from '../keys/key-type.js'
import type {
  Denylist,
  KeySet,
  RefreshTokenStore,
  SigningAlgorithm,
  TesseraEvent,
  TesseraOptions,
  TokenVersionStore,
} from '../types.js'
import {
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  DEFAULT_FAMILY_LIFETIME_SECONDS,
  DEFAULT_MAX_TOKEN_BYTES,
  DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
  DEFAULT_ROTATION_GRACE_SECONDS,
} from './defaults.js'

/** {@link TesseraOptions} with every default applied, validated once at construction. */
export interface ResolvedConfig {
  keys: KeySet
  issuer: string
  audience: string
  accessTokenTtlSeconds: number
  clockToleranceSeconds: number
  maxTokenBytes: number
  algorithms: readonly SigningAlgorithm[]
  secret: Uint8Array | null
  refreshTokenStore: RefreshTokenStore | null
  denylist: Denylist | null
  tokenVersionStore: TokenVersionStore | null
  refreshTokenTtlSeconds: number
  familyLifetimeSeconds: number
  rotationGraceSeconds: number
  resolveRole: ((userId: string) => Promise<string | undefined> | string | undefined) | null
  emit: (event: TesseraEvent) => void
  clock: () => Date
  /** Entries of the verified-token cache, or null when it is off. */
  verifiedTokenCacheEntries: number | null
}

function positive(name: string, value: number | undefined, fallback: number, allowZero = false) {
  const resolved = value ?? fallback
  const ok = Number.isFinite(resolved) && (allowZero ? resolved >= 0 : resolved > 0)
  if (!ok)
    throw new TypeError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number`)
  return resolved
}

function verifiedTokenCacheEntries(option: TesseraOptions['verifiedTokenCache']) {
  if (option === undefined || option === false) return null
  const entries = option?.maxEntries
  if (!Number.isSafeInteger(entries) || entries < 1) {
    throw new TypeError('verifiedTokenCache.maxEntries must be a positive integer')
  }
  return entries
}

export function resolveConfig(options: TesseraOptions): ResolvedConfig {
  if (!options.issuer) throw new TypeError('issuer is required')
  if (!options.audience) throw new TypeError('audience is required')

  const keyAlgorithms = [...new Set(options.keys.keys.map((key) => key.alg))]
  const algorithms = options.algorithms ?? keyAlgorithms
  for (const alg of algorithms) {
    // Only asymmetric algorithms: `none` and HMAC can never be configured.
    if (!SIGNING_ALGORITHMS.includes(alg)) {
      throw new TypeError(`algorithm ${String(alg)} is not supported`)
    }
  }

  let secret: Uint8Array | null = null
  if (options.secret !== undefined) {
    secret =
      typeof options.secret === 'string'
        ? new TextEncoder().encode(options.secret)
        : new Uint8Array(options.secret)
    if (secret.byteLength < 32) throw new TypeError('secret must be at least 32 bytes')
  }
  // Fail at construction, not at the first login: `secret: process.env.X` with X unset is the
  // usual way to get here.
  if (options.refreshTokenStore && !secret) {
    throw new TypeError('a refreshTokenStore needs the `secret` option (32+ random bytes)')
  }

  const onEvent = options.onEvent
  return {
    keys: options.keys,
    issuer: options.issuer,
    audience: options.audience,
    accessTokenTtlSeconds: positive(
      'accessTokenTtlSeconds',
      options.accessTokenTtlSeconds,
      DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
    ),
    clockToleranceSeconds: positive(
      'clockToleranceSeconds',
      options.clockToleranceSeconds,
      DEFAULT_CLOCK_TOLERANCE_SECONDS,
      true,
    ),
    maxTokenBytes: positive('maxTokenBytes', options.maxTokenBytes, DEFAULT_MAX_TOKEN_BYTES),
    algorithms,
    secret,
    refreshTokenStore: options.refreshTokenStore ?? null,
    denylist: options.denylist ?? null,
    tokenVersionStore: options.tokenVersionStore ?? null,
    refreshTokenTtlSeconds: positive(
      'refreshTokenTtlSeconds',
      options.refreshTokenTtlSeconds,
      DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
    ),
    familyLifetimeSeconds: positive(
      'familyLifetimeSeconds',
      options.familyLifetimeSeconds,
      DEFAULT_FAMILY_LIFETIME_SECONDS,
    ),
    rotationGraceSeconds: positive(
      'rotationGraceSeconds',
      options.rotationGraceSeconds,
      DEFAULT_ROTATION_GRACE_SECONDS,
      true,
    ),
    resolveRole: options.resolveRole ?? null,
    emit: (event) => {
      if (!onEvent) return
      try {
        onEvent(event)
      } catch {
        // An audit hook must never break authentication.
      }
    },
    clock: options.clock ?? (() => new Date()),
    verifiedTokenCacheEntries: verifiedTokenCacheEntries(options.verifiedTokenCache),
  }
}
