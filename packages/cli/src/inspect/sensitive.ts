/** Why a claim looks sensitive. */
export type SensitiveKind =
  | 'secret'
  | 'token'
  | 'session'
  | 'card-number'
  | 'email'
  | 'personal-name'

/** A claim (by its path, such as `profile.email`) whose key or value looks sensitive. */
export interface SensitiveClaim {
  path: string
  kind: SensitiveKind
}

const SECRET_KEY = new RegExp(
  [
    'pass(word|wd|phrase)?$',
    '^pwd$',
    'secret',
    'api[_-]?key',
    'private[_-]?key',
    '^pin$',
    'ssn',
    'social[_-]?security',
    'credit[_-]?card',
    'card[_-]?number',
    '^cvv$',
    '^cvc$',
  ].join('|'),
  'i',
)
const NAME_KEY = new RegExp(
  `^(${[
    'name',
    'full[_-]?name',
    'given[_-]?name',
    'family[_-]?name',
    'first[_-]?name',
    'last[_-]?name',
    'middle[_-]?name',
    'surname',
    'nickname',
    'preferred[_-]?username',
  ].join('|')})$`,
  'i',
)
// Names of claims that carry a bearer credential. `Token` counts only after a lower-case letter
// (camelCase, matched with case), so that `typ`, `jti`, `token_type` or `tokenType` stay visible.
const TOKEN_KEYS = [
  /^token$/i,
  /[_-]token$/i,
  /[a-z]Token$/,
  /^(access|refresh|id|bearer|session|auth)token$/i,
]
const SESSION_KEY = /^session$/i
// A compact JWS (three base64url segments) or JWE (five), whose header starts `{"`.
const JWT_VALUE = /^eyJ[\w-]*\.[\w-]*\.[\w-]*(?:\.[\w-]*\.[\w-]*)?$/
const EMAIL_KEY = /e-?mail/i
const EMAIL_VALUE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const CARD_SHAPE = /^\d(?:[ -]?\d){12,18}$/
const MAX_DEPTH = 8
// Identifiers and times: long digit strings here are ids (snowflakes) or timestamps, not cards.
const REGISTERED = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'sid',
  'azp',
  'auth_time',
])

/**
 * Finds claims that should not travel in a token anyone can decode: secrets and tokens by key
 * name (`password`, `refresh_token`, `accessToken`...), tokens by their compact JWS or JWE
 * shape, card numbers by shape and Luhn checksum, email addresses and personal names.
 *
 * @example
 * ```ts
 * findSensitiveClaims({ sub: 'u1', email: 'a@example.com' })
 * // [{ path: 'email', kind: 'email' }]
 * ```
 */
export function findSensitiveClaims(claims: Record<string, unknown>): SensitiveClaim[] {
  const found: SensitiveClaim[] = []
  walk(claims, '', 0, found)
  return found
}

function walk(value: unknown, path: string, depth: number, found: SensitiveClaim[]): void {
  if (depth > MAX_DEPTH) return
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) walk(item, `${path}[${index}]`, depth + 1, found)
    return
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key
      if (depth === 0 && REGISTERED.has(key)) {
        const kind = kindOfRegistered(child)
        if (kind) found.push({ path: childPath, kind })
        continue
      }
      const kind = kindOfKey(key, child)
      if (kind) found.push({ path: childPath, kind })
      else walk(child, childPath, depth + 1, found)
    }
    return
  }
  const kind = kindOfValue(value)
  if (kind && path) found.push({ path, kind })
}

const present = (value: unknown) => value !== null && value !== '' && value !== false
const nonEmptyString = (value: unknown) => typeof value === 'string' && value !== ''

/** Key-name rules, first match wins; `value` tells whether the value under the key counts. */
const KEY_RULES: { kind: SensitiveKind; key: (key: string) => boolean; value: typeof present }[] = [
  { kind: 'token', key: isTokenKey, value: present },
  { kind: 'secret', key: (key) => SECRET_KEY.test(key), value: present },
  { kind: 'session', key: (key) => SESSION_KEY.test(key), value: nonEmptyString },
  { kind: 'email', key: (key) => EMAIL_KEY.test(key), value: nonEmptyString },
  { kind: 'personal-name', key: (key) => NAME_KEY.test(key), value: nonEmptyString },
]

/** Value-shape rules, first match wins. */
const VALUE_RULES: { kind: SensitiveKind; value: (value: string) => boolean }[] = [
  { kind: 'token', value: (value) => JWT_VALUE.test(value) },
  { kind: 'email', value: (value) => EMAIL_VALUE.test(value) },
  {
    kind: 'card-number',
    value: (value) => CARD_SHAPE.test(value) && passesLuhn(value.replace(/[ -]/g, '')),
  },
]

function isTokenKey(key: string): boolean {
  return TOKEN_KEYS.some((pattern) => pattern.test(key))
}

function kindOfKey(key: string, value: unknown): SensitiveKind | undefined {
  // A token is a credential under any name, even one that suggests an email or a name.
  if (typeof value === 'string' && JWT_VALUE.test(value)) return 'token'
  return KEY_RULES.find((rule) => rule.key(key) && rule.value(value))?.kind ?? kindOfValue(value)
}

function kindOfValue(value: unknown): SensitiveKind | undefined {
  if (typeof value !== 'string') return undefined
  return VALUE_RULES.find((rule) => rule.value(value))?.kind
}

/** Registered claims are skipped (their digit strings are ids), unless they carry a token. */
function kindOfRegistered(value: unknown): SensitiveKind | undefined {
  return typeof value === 'string' && JWT_VALUE.test(value) ? 'token' : undefined
}

/** JWK members that hold private or symmetric key material (RFC 7518, section 6). */
const JWK_PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']

/**
 * The private or symmetric members present in a JWK (such as an embedded `jwk` header):
 * `d`, `p`, `q`, `dp`, `dq`, `qi` and `oth` of a private key, `k` of an `oct` key.
 *
 * @example
 * ```ts
 * jwkPrivateMembers({ kty: 'EC', crv: 'P-256', x: '...', y: '...', d: '...' }) // ['d']
 * ```
 */
export function jwkPrivateMembers(jwk: unknown): string[] {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return []
  return JWK_PRIVATE_MEMBERS.filter((member) => Object.hasOwn(jwk, member))
}

/**
 * A copy of a token header whose embedded `jwk` has its private and symmetric members replaced
 * by a marker; the public members stay visible.
 *
 * @example
 * ```ts
 * redactHeader({ alg: 'HS256', jwk: { kty: 'oct', k: '...' } })
 * // { alg: 'HS256', jwk: { kty: 'oct', k: '[redacted]' } }
 * ```
 */
export function redactHeader(header: Record<string, unknown>): Record<string, unknown> {
  const members = jwkPrivateMembers(header.jwk)
  if (members.length === 0) return header
  const jwk: Record<string, unknown> = { ...(header.jwk as Record<string, unknown>) }
  for (const member of members) jwk[member] = REDACTED
  return { ...header, jwk }
}

/** Luhn checksum (ISO/IEC 7812-1), used by payment card numbers. */
export function passesLuhn(digits: string): boolean {
  let sum = 0
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index])
    if (index % 2 === 1) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
  }
  return sum % 10 === 0
}

const REDACTED = '[redacted]'
const REDACTED_KINDS = new Set<SensitiveKind>(['secret', 'token', 'session', 'card-number'])

/**
 * A copy of the claims in which values that look like secrets, tokens, session ids or card
 * numbers are replaced
 * by a marker, so that inspecting a token never prints them again (on screen, in CI logs).
 * Emails and names stay visible: they are findings, not credentials.
 */
export function redactSensitiveClaims(claims: Record<string, unknown>): Record<string, unknown> {
  return redact(claims, 0, true) as Record<string, unknown>
}

function redact(value: unknown, depth: number, top: boolean): unknown {
  if (depth > MAX_DEPTH) return value
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, false))
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = {}
    for (const [key, child] of Object.entries(value)) {
      const kind = top && REGISTERED.has(key) ? kindOfRegistered(child) : kindOfKey(key, child)
      copy[key] = kind && REDACTED_KINDS.has(kind) ? REDACTED : redact(child, depth + 1, false)
    }
    return copy
  }
  const kind = top ? undefined : kindOfValue(value)
  return kind && REDACTED_KINDS.has(kind) ? REDACTED : value
}
