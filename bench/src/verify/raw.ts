/**
 * The floor: what a hand-written verifier on node:crypto costs, with the same checks as
 * everyone else (alg allow-list, kid, typ, signature, iss, aud, exp, nbf, iat, sub, jti).
 */
import { type KeyObject, randomBytes, sign, verify } from 'node:crypto'

export type Alg = 'ES256' | 'RS256' | 'EdDSA'

/** Digest and signature encoding for each JWS algorithm on node:crypto. */
function params(alg: Alg) {
  switch (alg) {
    case 'ES256':
      return { digest: 'sha256', dsaEncoding: 'ieee-p1363' as const }
    case 'RS256':
      return { digest: 'sha256', dsaEncoding: undefined }
    case 'EdDSA':
      return { digest: null, dsaEncoding: undefined }
  }
}

function b64json(value: unknown) {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

export interface Policy {
  alg: Alg
  kid: string
  issuer: string
  audience: string
  toleranceSeconds: number
}

/** Claims as Tessera issues them: iss, sub, aud, exp, iat, jti (128 bits), role. */
export function claimsFor(policy: Policy, subject: string, nowSeconds: number) {
  return {
    iss: policy.issuer,
    sub: subject,
    aud: policy.audience,
    iat: nowSeconds,
    exp: nowSeconds + 900,
    jti: randomBytes(16).toString('base64url'),
    role: 'user',
  }
}

export function rawSigner(policy: Policy, privateKey: KeyObject) {
  const { digest, dsaEncoding } = params(policy.alg)
  const header = b64json({ alg: policy.alg, kid: policy.kid, typ: 'at+jwt' })
  return (claims: object) => {
    const input = `${header}.${b64json(claims)}`
    const signature = sign(digest, Buffer.from(input), { key: privateKey, dsaEncoding })
    return `${input}.${signature.toString('base64url')}`
  }
}

export function rawVerifier(policy: Policy, publicKey: KeyObject) {
  const { digest, dsaEncoding } = params(policy.alg)
  return (token: string) => {
    if (token.length > 8192) throw new Error('too large')
    const first = token.indexOf('.')
    const second = token.indexOf('.', first + 1)
    if (first < 0 || second < 0 || token.indexOf('.', second + 1) >= 0) throw new Error('shape')
    const header = JSON.parse(Buffer.from(token.slice(0, first), 'base64url').toString())
    if (header.alg !== policy.alg || header.kid !== policy.kid || header.typ !== 'at+jwt') {
      throw new Error('header')
    }
    if (header.jwk || header.jku || header.x5u || header.x5c || header.crit) throw new Error('hdr')
    const ok = verify(
      digest,
      Buffer.from(token.slice(0, second)),
      { key: publicKey, dsaEncoding },
      Buffer.from(token.slice(second + 1), 'base64url'),
    )
    if (!ok) throw new Error('signature')
    const claims = JSON.parse(Buffer.from(token.slice(first + 1, second), 'base64url').toString())
    const now = Math.floor(Date.now() / 1000)
    const tol = policy.toleranceSeconds
    if (claims.iss !== policy.issuer || claims.aud !== policy.audience) throw new Error('claims')
    if (typeof claims.exp !== 'number' || claims.exp <= now - tol) throw new Error('exp')
    if (claims.nbf !== undefined && claims.nbf > now + tol) throw new Error('nbf')
    if (typeof claims.iat !== 'number' || claims.iat > now + tol) throw new Error('iat')
    if (typeof claims.sub !== 'string' || typeof claims.jti !== 'string') throw new Error('sub')
    return claims
  }
}
