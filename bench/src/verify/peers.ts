/**
 * The peers, each configured with the same key, algorithm and checks as Tessera: alg
 * allow-list, typ `at+jwt`, iss, aud, exp/nbf with 30 s tolerance, sub and jti present.
 * Checks a library lacks are added after its call, so that every column does the same work.
 */
import type { KeyObject } from 'node:crypto'
import { createSigner, createVerifier } from 'fast-jwt'
import { jwtVerify, SignJWT } from 'jose'
import jsonwebtoken from 'jsonwebtoken'
import type { Policy } from './raw.js'

function presentOrThrow(claims: { sub?: unknown; jti?: unknown }) {
  if (typeof claims.sub !== 'string' || typeof claims.jti !== 'string') throw new Error('claims')
  return claims
}

export function joseVerifier(policy: Policy, publicKey: KeyObject) {
  const options = {
    algorithms: [policy.alg],
    issuer: policy.issuer,
    audience: policy.audience,
    typ: 'at+jwt',
    clockTolerance: policy.toleranceSeconds,
    requiredClaims: ['exp', 'iat', 'sub', 'jti'],
  }
  return async (token: string) => {
    const { payload, protectedHeader } = await jwtVerify(token, publicKey, options)
    if (protectedHeader.kid !== policy.kid) throw new Error('kid')
    return payload
  }
}

export function joseSigner(policy: Policy, privateKey: KeyObject) {
  return (claims: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: policy.alg, kid: policy.kid, typ: 'at+jwt' })
      .sign(privateKey)
}

/** jsonwebtoken 9 has no EdDSA: null for that algorithm. */
export function jsonwebtokenVerifier(policy: Policy, publicKey: KeyObject) {
  if (policy.alg === 'EdDSA') return null
  const options: jsonwebtoken.VerifyOptions & { complete: true } = {
    algorithms: [policy.alg],
    issuer: policy.issuer,
    audience: policy.audience,
    clockTolerance: policy.toleranceSeconds,
    complete: true,
  }
  return (token: string) => {
    const { header, payload } = jsonwebtoken.verify(token, publicKey, options)
    if (header.kid !== policy.kid || header.typ !== 'at+jwt') throw new Error('header')
    return presentOrThrow(payload as jsonwebtoken.JwtPayload)
  }
}

export function jsonwebtokenSigner(policy: Policy, privateKey: KeyObject) {
  if (policy.alg === 'EdDSA') return null
  const options: jsonwebtoken.SignOptions = {
    algorithm: policy.alg,
    keyid: policy.kid,
    header: { alg: policy.alg, typ: 'at+jwt' },
  }
  return (claims: object) => jsonwebtoken.sign(claims, privateKey, options)
}

export function fastJwtVerifier(policy: Policy, publicKey: KeyObject, cache: boolean) {
  const verify = createVerifier({
    key: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    algorithms: [policy.alg],
    allowedIss: policy.issuer,
    allowedAud: policy.audience,
    checkTyp: 'at+jwt',
    clockTolerance: policy.toleranceSeconds * 1000,
    requiredClaims: ['exp', 'iat', 'sub', 'jti'],
    complete: true,
    cache: cache ? 1000 : false,
  })
  return (token: string) => {
    const { header } = verify(token) as { header: { kid?: string } }
    if (header.kid !== policy.kid) throw new Error('kid')
    return header
  }
}

export function fastJwtSigner(policy: Policy, privateKey: KeyObject) {
  const sign = createSigner({
    key: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    algorithm: policy.alg,
    kid: policy.kid,
    header: { alg: policy.alg, typ: 'at+jwt' },
  })
  return (claims: object) => sign(claims as Record<string, unknown>)
}
