import { InvalidHeaderError } from '../errors.js'
import type { ManagedKey, SigningAlgorithm } from '../types.js'

// Header parameters that carry or point at a key. A verifier that honours them lets the
// token choose its own key (RFC 8725 section 3.10); we never read, let alone fetch, them.
const KEY_CARRYING = ['jwk', 'jku', 'x5u', 'x5c'] as const

// RFC 9068 section 2.1; the media type form and any case are the same type (RFC 8725 3.11).
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt'])

/**
 * Step 2 of verification: applies the header policy and returns the one key that may
 * verify the token. Order: `alg` allow-list, key-carrying parameters, `crit`, `kid`, `typ`.
 * Throws {@link InvalidHeaderError} naming the parameter.
 */
export function checkHeader(
  header: Record<string, unknown>,
  algorithms: ReadonlySet<string>,
  keys: ReadonlyMap<string, ManagedKey>,
): ManagedKey {
  const alg = header.alg
  if (typeof alg !== 'string' || !algorithms.has(alg)) {
    throw new InvalidHeaderError(
      'alg',
      'token algorithm is not allowed',
      'ERR_ALGORITHM_NOT_ALLOWED',
    )
  }

  for (const parameter of KEY_CARRYING) {
    if (Object.hasOwn(header, parameter)) {
      throw new InvalidHeaderError(parameter, `token header ${parameter} is not accepted`)
    }
  }

  // We implement no header extension, so any `crit` names one we do not understand
  // (RFC 7515 section 4.1.11): the token must be rejected.
  if (Object.hasOwn(header, 'crit')) {
    throw new InvalidHeaderError('crit', 'token header crit names an unsupported extension')
  }

  const kid = header.kid
  if (typeof kid !== 'string' || kid === '') {
    throw new InvalidHeaderError('kid', 'token header kid is missing', 'ERR_KEY_UNKNOWN')
  }
  const key = keys.get(kid)
  if (!key || key.alg !== (alg as SigningAlgorithm)) {
    throw new InvalidHeaderError('kid', 'token key is unknown', 'ERR_KEY_UNKNOWN')
  }

  const typ = header.typ
  if (typeof typ !== 'string' || !ACCESS_TOKEN_TYPES.has(typ.toLowerCase())) {
    throw new InvalidHeaderError('typ', 'token type is not an access token')
  }
  return key
}
