import { InvalidClaimsError, TokenExpiredError } from '../errors.js'
import type { AccessTokenClaims } from '../types.js'

/** What the claim checks compare against. */
export interface ClaimPolicy {
  issuer: string
  audience: string
  clockToleranceSeconds: number
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

function nonEmptyString(payload: Record<string, unknown>, claim: string): void {
  const value = payload[claim]
  if (typeof value !== 'string' || value === '') {
    throw new InvalidClaimsError(claim, `token claim ${claim} is missing or not a string`)
  }
}

function checkAudience(aud: unknown, audience: string): void {
  const matches =
    aud === audience ||
    (Array.isArray(aud) && aud.every((item) => typeof item === 'string') && aud.includes(audience))
  if (!matches) throw new InvalidClaimsError('aud', 'token audience does not match')
}

/**
 * Step 4 of verification: `iss` and `aud` match exactly (no prefix, suffix or case folding),
 * `sub` and `jti` are non-empty strings, `exp` and `iat` are required numbers, `exp` and
 * `nbf` hold with the tolerance, and `iat` is not in the future beyond it. `now` is in
 * seconds. Throws {@link TokenExpiredError} or {@link InvalidClaimsError} naming the claim.
 */
export function checkClaims(
  payload: Record<string, unknown>,
  policy: ClaimPolicy,
  now: number,
): AccessTokenClaims {
  if (payload.iss !== policy.issuer) {
    throw new InvalidClaimsError('iss', 'token issuer does not match')
  }
  nonEmptyString(payload, 'sub')
  checkAudience(payload.aud, policy.audience)
  nonEmptyString(payload, 'jti')

  const { exp, iat, nbf } = payload
  const tolerance = policy.clockToleranceSeconds
  if (!isNumericDate(exp)) throw new InvalidClaimsError('exp', 'token claim exp is missing')
  if (!isNumericDate(iat)) throw new InvalidClaimsError('iat', 'token claim iat is missing')
  if (nbf !== undefined && !isNumericDate(nbf)) {
    throw new InvalidClaimsError('nbf', 'token claim nbf is not a number')
  }

  if (exp <= now - tolerance) throw new TokenExpiredError(new Date(exp * 1000))
  if (nbf !== undefined && nbf > now + tolerance) {
    throw new InvalidClaimsError('nbf', 'token is not valid yet')
  }
  // jose's jwtVerify accepts any iat unless maxTokenAge is set; a token from the future
  // means a skewed or compromised issuer, so we refuse it.
  if (iat > now + tolerance) throw new InvalidClaimsError('iat', 'token was issued in the future')

  const { role, ver } = payload
  if (role !== undefined && typeof role !== 'string') {
    throw new InvalidClaimsError('role', 'token claim role is not a string')
  }
  if (ver !== undefined && !(Number.isSafeInteger(ver) && (ver as number) >= 0)) {
    throw new InvalidClaimsError('ver', 'token claim ver is not a non-negative integer')
  }
  return payload as AccessTokenClaims
}
