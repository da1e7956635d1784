/**
 * Every failure Tessera reports is a {@link TokenError} with a stable `code`.
 * Callers branch on `code`, never on `message`. Messages never contain a token,
 * a secret or key material. A code, once shipped, is never reused for another meaning.
 *
 * @module
 */

/** All error codes Tessera can raise. */
export type TokenErrorCode =
  | 'ERR_TOKEN_MALFORMED'
  | 'ERR_TOKEN_TOO_LARGE'
  | 'ERR_TOKEN_HEADER_INVALID'
  | 'ERR_ALGORITHM_NOT_ALLOWED'
  | 'ERR_KEY_UNKNOWN'
  | 'ERR_SIGNATURE_INVALID'
  | 'ERR_TOKEN_EXPIRED'
  | 'ERR_CLAIM_INVALID'
  | 'ERR_ACCESS_TOKEN_DENIED'
  | 'ERR_TOKEN_VERSION_STALE'
  | 'ERR_REFRESH_TOKEN_INVALID'
  | 'ERR_REFRESH_TOKEN_REUSED'
  | 'ERR_STORE_UNAVAILABLE'
  | 'ERR_REVOCATION_UNAVAILABLE'
  | 'ERR_KEY_SET_INVALID'
  | 'ERR_KEY_FILE_INVALID'

/**
 * Base class of every error Tessera throws.
 *
 * @example
 * ```ts
 * try {
 *   await tessera.verifyAccessToken(token)
 * } catch (error) {
 *   if (error instanceof TokenError && error.code === 'ERR_TOKEN_EXPIRED') refresh()
 * }
 * ```
 */
export class TokenError extends Error {
  readonly code: TokenErrorCode

  constructor(code: TokenErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** The token is not a well-formed compact JWS, is too large, or its parts are not JSON objects. */
export class MalformedTokenError extends TokenError {
  constructor(
    message = 'token is malformed',
    code: 'ERR_TOKEN_MALFORMED' | 'ERR_TOKEN_TOO_LARGE' = 'ERR_TOKEN_MALFORMED',
    options?: { cause?: unknown },
  ) {
    super(code, message, options)
  }
}

/**
 * A protected header parameter breaks the policy: disallowed `alg`, missing or unknown
 * `kid`, an embedded or remote key (`jwk`, `jku`, `x5u`, `x5c`), unknown `crit`, wrong `typ`.
 */
export class InvalidHeaderError extends TokenError {
  /** The header parameter at fault, such as `alg` or `kid`. */
  readonly parameter: string

  constructor(
    parameter: string,
    message: string,
    code:
      | 'ERR_TOKEN_HEADER_INVALID'
      | 'ERR_ALGORITHM_NOT_ALLOWED'
      | 'ERR_KEY_UNKNOWN' = 'ERR_TOKEN_HEADER_INVALID',
  ) {
    super(code, message)
    this.parameter = parameter
  }
}

/** The signature does not verify with the key the `kid` names. */
export class InvalidSignatureError extends TokenError {
  constructor(message = 'signature verification failed', options?: { cause?: unknown }) {
    super('ERR_SIGNATURE_INVALID', message, options)
  }
}

/** The token's `exp` has passed (beyond the clock tolerance). */
export class TokenExpiredError extends TokenError {
  /** When the token expired. */
  readonly expiredAt: Date

  constructor(expiredAt: Date, options?: { cause?: unknown }) {
    super('ERR_TOKEN_EXPIRED', 'token has expired', options)
    this.expiredAt = expiredAt
  }
}

/** A claim is missing or has a value the policy rejects; `claim` names it. */
export class InvalidClaimsError extends TokenError {
  /** The claim at fault, such as `aud` or `iat`. */
  readonly claim: string

  constructor(claim: string, message: string, options?: { cause?: unknown }) {
    super('ERR_CLAIM_INVALID', message, options)
    this.claim = claim
  }
}

/** The access token was revoked: its `jti` is denylisted or its `ver` is stale. */
export class TokenRevokedError extends TokenError {
  constructor(
    code: 'ERR_ACCESS_TOKEN_DENIED' | 'ERR_TOKEN_VERSION_STALE' = 'ERR_ACCESS_TOKEN_DENIED',
    message = 'token has been revoked',
  ) {
    super(code, message)
  }
}

/**
 * The refresh token is unknown, malformed, expired or revoked. One error for all of these,
 * so that a caller (or an attacker) cannot tell them apart.
 */
export class InvalidRefreshTokenError extends TokenError {
  constructor() {
    super('ERR_REFRESH_TOKEN_INVALID', 'refresh token is invalid')
  }
}

/**
 * A refresh token that was already rotated was presented again, or presented from another
 * device. The whole token family has been revoked.
 */
export class RefreshTokenReuseError extends TokenError {
  /** The revoked token family. */
  readonly familyId: string

  constructor(familyId: string) {
    super('ERR_REFRESH_TOKEN_REUSED', 'refresh token reuse detected; token family revoked')
    this.familyId = familyId
  }
}

/** A store (database, Redis) could not be reached or failed mid-operation. */
export class StoreUnavailableError extends TokenError {
  constructor(
    message = 'token store is unavailable',
    options?: { cause?: unknown },
    code: 'ERR_STORE_UNAVAILABLE' | 'ERR_REVOCATION_UNAVAILABLE' = 'ERR_STORE_UNAVAILABLE',
  ) {
    super(code, message, options)
  }
}

/** The denylist could not be consulted and the policy is to fail closed. */
export class RevocationUnavailableError extends StoreUnavailableError {
  constructor(options?: { cause?: unknown }) {
    super('revocation status is unavailable', options, 'ERR_REVOCATION_UNAVAILABLE')
  }
}

/** A key, key set or key file is invalid. The message names the file, never its contents. */
export class KeySetError extends TokenError {
  constructor(
    message: string,
    code: 'ERR_KEY_SET_INVALID' | 'ERR_KEY_FILE_INVALID' = 'ERR_KEY_SET_INVALID',
    options?: { cause?: unknown },
  ) {
    super(code, message, options)
  }
}
