import { verificationKey } from '../keys/key-set.js'
import { checkKeyAlgorithm } from '../keys/key-type.js'
import type { ResolvedConfig } from '../lib/config.js'
import type { KeySet, ManagedKey, VerifiedAccessToken } from '../types.js'
import { checkClaims } from './claims.js'
import { decodeJsonObject, splitCompact } from './compact.js'
import { deepFreeze } from './deep-freeze.js'
import { checkHeader } from './header.js'
import { checkSignature } from './signature.js'

/**
 * Verifies one access token and resolves to its claims and `kid`, or rejects with a
 * `TokenError` subclass. Performs no I/O. The claims are deeply frozen, so that one result
 * can be handed to several callers (see `createVerifiedTokenCache`) without one of them
 * changing what the others see.
 */
export type AccessTokenVerifier = (token: string) => Promise<VerifiedAccessToken>

/** The keys that may verify, by `kid`: next, active and retiring, never retired. */
function verificationKeysByKid(set: KeySet): Map<string, ManagedKey> {
  const byKid = new Map<string, ManagedKey>()
  for (const key of set.keys) {
    if (verificationKey(set, key.kid) !== key) continue
    // A key whose type does not fit its declared alg is a configuration error, reported once.
    checkKeyAlgorithm(key.publicKey, key.alg)
    byKid.set(key.kid, key)
  }
  return byKid
}

/**
 * Builds the access token verifier of a resolved configuration: DESIGN.md steps 1-4, in
 * order, each failing with its own error before the next runs.
 *
 * 1. size limit and compact shape (three canonical base64url segments), then the header
 *    decoded as a JSON object;
 * 2. header policy: `alg` from the allow-list, no `jwk`/`jku`/`x5u`/`x5c`, no `crit`, a known
 *    `kid` of that `alg`, `typ` `at+jwt`;
 * 3. signature with exactly the key `kid` names;
 * 4. the payload decoded as a JSON object, then claims: `iss`, `aud`, `sub`, `jti`, `exp`,
 *    `nbf`, `iat` with the clock tolerance; the claims returned are deeply frozen.
 *
 * The payload is parsed only once its signature verified: no untrusted payload JSON reaches
 * `JSON.parse`, and tokens refused at the header or signature step cost no payload parse. A
 * payload that is not a JSON object therefore fails with `MalformedTokenError` only when
 * it is validly signed; with a wrong signature the `InvalidSignatureError` wins.
 *
 * The key map and allow-list are built once here, not per token.
 */
export function createAccessTokenVerifier(config: ResolvedConfig): AccessTokenVerifier {
  const keys = verificationKeysByKid(config.keys)
  const algorithms = new Set<string>(config.algorithms)
  const { maxTokenBytes, clock } = config
  const policy = {
    issuer: config.issuer,
    audience: config.audience,
    clockToleranceSeconds: config.clockToleranceSeconds,
  }

  return async (token) => {
    const parts = splitCompact(token, maxTokenBytes)
    const header = decodeJsonObject(parts.header, 'header')

    const key = checkHeader(header, algorithms, keys)

    checkSignature(
      key,
      Buffer.from(parts.signingInput, 'latin1'),
      Buffer.from(parts.signature, 'base64url'),
    )

    const payload = decodeJsonObject(parts.payload, 'payload')
    const now = Math.floor(clock().getTime() / 1000)
    const claims = deepFreeze(checkClaims(payload, policy, now))
    return { claims, kid: key.kid }
  }
}
