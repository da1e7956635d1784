import { randomBytes } from 'node:crypto'
import { activeKey } from '../keys/key-set.js'
import type { ResolvedConfig } from '../lib/config.js'
import type { AccessTokenClaims } from '../types.js'
import { createSignature } from './signature.js'

/** A freshly signed access token with the values callers need to track it. */
export interface IssuedToken {
  token: string
  jti: string
  expiresAt: Date
}

/** Signs access tokens with the active key of a resolved configuration. */
export interface AccessTokenIssuer {
  issue(userId: string, role?: string): Promise<IssuedToken>
}

function encodeJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

/**
 * Builds the access token issuer: claims `{iss, sub, aud, exp, iat, jti, role?, ver?}`,
 * header `{alg, kid, typ: 'at+jwt'}`, signed with the key set's active key. `jti` is 128
 * bits from the CSPRNG; `ver` is the user's token version, present only when a token
 * version store is configured. The payload carries nothing sensitive.
 */
export function createAccessTokenIssuer(config: ResolvedConfig): AccessTokenIssuer {
  return {
    async issue(userId, role) {
      if (typeof userId !== 'string' || userId === '') {
        throw new TypeError('userId must be a non-empty string')
      }
      if (role !== undefined && typeof role !== 'string') {
        throw new TypeError('role must be a string')
      }

      const key = activeKey(config.keys)
      const ver = config.tokenVersionStore ? await config.tokenVersionStore.get(userId) : undefined
      const iat = Math.floor(config.clock().getTime() / 1000)
      const exp = iat + config.accessTokenTtlSeconds
      const jti = randomBytes(16).toString('base64url')

      const claims: AccessTokenClaims = {
        iss: config.issuer,
        sub: userId,
        aud: config.audience,
        exp,
        iat,
        jti,
        ...(role !== undefined ? { role } : {}),
        ...(ver !== undefined ? { ver } : {}),
      }
      const header = encodeJson({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      const signingInput = `${header}.${encodeJson(claims)}`
      // activeKey guarantees a private key.
      const signature = createSignature(key.alg, key.privateKey!, Buffer.from(signingInput))
      return {
        token: `${signingInput}.${signature.toString('base64url')}`,
        jti,
        expiresAt: new Date(exp * 1000),
      }
    },
  }
}
