import { expect } from 'vitest'
import { generateKey } from '../../keys/generate.js'
import { resolveConfig } from '../../lib/config.js'
import { privateKeySigner } from '../../testing/forge.js'
import type { KeySet, ManagedKey, SigningAlgorithm, TesseraOptions } from '../../types.js'
import { createAccessTokenIssuer } from '../issue.js'
import { createAccessTokenVerifier } from '../verify.js'

export const NOW = new Date('2030-01-01T00:00:00Z')
export const NOW_SECONDS = NOW.getTime() / 1000
export const ISSUER = 'https://auth.example.com'
export const AUDIENCE = 'https://api.example.com'

export type Json = Record<string, unknown>

const keyCache = new Map<SigningAlgorithm, ManagedKey>()

/** One generated key per algorithm and test file; RSA generation is slow. */
export async function keyFor(alg: SigningAlgorithm): Promise<ManagedKey> {
  let key = keyCache.get(alg)
  if (!key) {
    key = await generateKey(alg, { state: 'active', now: NOW })
    keyCache.set(alg, key)
  }
  return key
}

/** Issuer and verifier over `keys`, with the clock frozen at {@link NOW}. */
export function setup(keys: KeySet, options: Partial<TesseraOptions> = {}) {
  const config = resolveConfig({
    keys,
    issuer: ISSUER,
    audience: AUDIENCE,
    clock: () => NOW,
    ...options,
  })
  return {
    config,
    issuer: createAccessTokenIssuer(config),
    verify: createAccessTokenVerifier(config),
  }
}

/** A header and claims as the issuer would write them. */
export function validParts(key: ManagedKey): { header: Json; payload: Json } {
  return {
    header: { alg: key.alg, kid: key.kid, typ: 'at+jwt' },
    payload: {
      iss: ISSUER,
      sub: 'user-1',
      aud: AUDIENCE,
      exp: NOW_SECONDS + 900,
      iat: NOW_SECONDS,
      jti: 'jti-0123456789abcdef',
    },
  }
}

/** Signs `header.payload` with `key`, whatever they contain. */
export function signWith(key: ManagedKey, header: Json, payload: Json): Promise<string> {
  return privateKeySigner(key.privateKey!).sign(header, payload)
}

/** A valid token with `change` applied to its header and payload, signed with `key`. */
export function signedVariant(
  key: ManagedKey,
  change: (parts: { header: Json; payload: Json }) => void,
): Promise<string> {
  const parts = validParts(key)
  change(parts)
  return signWith(key, parts.header, parts.payload)
}

export const b64 = (text: string) => Buffer.from(text).toString('base64url')

/** Awaits `promise` and returns what it rejected with; fails the test if it resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  expect.fail('expected the promise to reject')
}
