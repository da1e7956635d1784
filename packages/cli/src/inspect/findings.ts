import type { DecodedToken } from './decode.js'
import { findSensitiveClaims, jwkPrivateMembers, type SensitiveKind } from './sensitive.js'

/** How much a finding matters. `high` findings make `tessera inspect` exit with 1. */
export type Severity = 'high' | 'medium' | 'low' | 'info'

/** One observation about a token, with a stable `id` for scripts. */
export interface Finding {
  id: string
  severity: Severity
  message: string
}

/** Options of {@link findTokenWeaknesses}. */
export interface FindingOptions {
  /**
   * Longest acceptable lifetime (`exp - iat`).
   * @default 3600
   */
  maxLifetimeSeconds?: number
  /**
   * Largest acceptable token.
   * @default 8192
   */
  maxTokenBytes?: number
  /**
   * Clock, injectable for tests.
   * @default () => new Date()
   */
  now?: () => Date
}

const ASYMMETRIC_ALG = /^(RS|PS|ES)(256|384|512)$|^ES256K$|^EdDSA$|^Ed25519$|^Ed448$/
const KID_ATTACK = /\.\.|[/\\'";\0]|--|\bunion\b|\bselect\b/i
const SENSITIVE_SEVERITY: Record<SensitiveKind, Severity> = {
  secret: 'high',
  token: 'high',
  session: 'medium',
  'card-number': 'high',
  email: 'medium',
  'personal-name': 'medium',
}
const SENSITIVE_REASON: Record<SensitiveKind, string> = {
  secret: 'looks like a secret (password, key, PIN)',
  token: 'carries a token (a bearer credential anyone who decodes this one can replay)',
  session: 'holds a session identifier',
  'card-number': 'is shaped like a card number and passes the Luhn check',
  email: 'holds an email address',
  'personal-name': 'holds a personal name',
}

/**
 * Lists what a decoded token reveals about the issuer's and verifiers' security: weak or
 * missing algorithm, missing claims, long lifetime, remote or embedded keys, sensitive
 * claims, size. Nothing here verifies the signature.
 *
 * @example
 * ```ts
 * const findings = findTokenWeaknesses(decodeToken(token), { maxLifetimeSeconds: 900 })
 * const fail = findings.some((finding) => finding.severity === 'high')
 * ```
 */
export function findTokenWeaknesses(token: DecodedToken, options: FindingOptions = {}): Finding[] {
  const maxLifetime = options.maxLifetimeSeconds ?? 3600
  const maxBytes = options.maxTokenBytes ?? 8192
  const nowSeconds = Math.floor((options.now?.() ?? new Date()).getTime() / 1000)
  const { header, claims } = token
  const findings: Finding[] = []
  const add = (id: string, severity: Severity, message: string) =>
    findings.push({ id, severity, message })

  const alg = header.alg
  if (typeof alg !== 'string') add('alg-missing', 'high', 'header has no alg')
  else if (alg.toLowerCase() === 'none' || token.signatureBytes === 0)
    add('alg-none', 'high', `alg "${alg}" with no signature: anyone can mint this token`)
  else if (/^HS/i.test(alg))
    add('alg-symmetric', 'medium', `${alg} is symmetric: every verifier holds the signing secret`)
  else if (!ASYMMETRIC_ALG.test(alg)) add('alg-unknown', 'medium', `alg "${alg}" is not standard`)

  if (typeof header.kid !== 'string' || header.kid === '')
    add('kid-missing', 'low', 'no kid: verifiers cannot select a key, rotation is harder')
  else if (KID_ATTACK.test(header.kid))
    add('kid-suspicious', 'medium', 'kid contains path or SQL characters')
  if (header.typ === undefined) add('typ-missing', 'low', 'no typ: token kinds can be confused')
  if (header.jku !== undefined)
    add(
      'header-jku',
      'high',
      'jku names a remote key set: a verifier that follows it trusts anyone',
    )
  if (header.x5u !== undefined)
    add(
      'header-x5u',
      'high',
      'x5u names a remote certificate: a verifier that follows it trusts anyone',
    )
  if (header.jwk !== undefined)
    add('header-jwk', 'high', 'jwk embeds a key: a verifier that uses it trusts anyone')
  const privateMembers = jwkPrivateMembers(header.jwk)
  if (privateMembers.length > 0)
    add(
      'header-jwk-private',
      'high',
      `jwk embeds a private or symmetric key (${privateMembers.join(', ')}): the key is leaked`,
    )
  if (header.x5c !== undefined)
    add('header-x5c', 'medium', 'x5c embeds a certificate chain: trust depends on chain validation')

  for (const claim of ['exp', 'iat', 'jti', 'aud', 'iss'] as const) {
    if (claims[claim] === undefined) add(`${claim}-missing`, MISSING[claim][0], MISSING[claim][1])
  }

  const { exp, iat, nbf } = claims
  if (typeof exp === 'number' && typeof iat === 'number' && exp - iat > maxLifetime)
    add(
      'lifetime-long',
      'medium',
      `lifetime ${exp - iat} s is longer than the maximum of ${maxLifetime} s`,
    )
  if (typeof iat === 'number' && iat > nowSeconds)
    add('iat-future', 'medium', `iat is ${iat - nowSeconds} s in the future`)
  if (typeof exp === 'number' && exp <= nowSeconds)
    add('expired', 'info', `expired ${nowSeconds - exp} s ago`)
  if (typeof nbf === 'number' && nbf > nowSeconds)
    add('not-yet-valid', 'info', `not valid for another ${nbf - nowSeconds} s`)

  for (const { path, kind } of findSensitiveClaims(claims))
    add(`claim-${kind}`, SENSITIVE_SEVERITY[kind], `claim "${path}" ${SENSITIVE_REASON[kind]}`)

  if (token.sizeBytes > maxBytes)
    add('oversized', 'medium', `token is ${token.sizeBytes} bytes, over ${maxBytes}`)

  return findings
}

const MISSING: Record<'exp' | 'iat' | 'jti' | 'aud' | 'iss', [Severity, string]> = {
  exp: ['high', 'no exp: the token never expires'],
  iat: ['low', 'no iat: its age cannot be checked'],
  jti: ['low', 'no jti: this one token cannot be revoked'],
  aud: ['medium', 'no aud: any service trusting the issuer accepts it'],
  iss: ['low', 'no iss: verifiers cannot check who issued it'],
}
