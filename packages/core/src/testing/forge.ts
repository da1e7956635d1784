/**
 * Forged access tokens for attack tests: from one valid token, one variant per weakness a
 * verifier might have. Core's own verifier tests and the `tessera scan` command share this
 * list, so the attacks tested and the attacks scanned never drift apart.
 *
 * @module
 */
import { createHmac, createPublicKey, type JsonWebKey, KeyObject } from 'node:crypto'
import { createSignature } from '../access-token/signature.js'
import { generateKey } from '../keys/generate.js'
import { isSigningAlgorithm } from '../keys/key-type.js'
import type { SigningAlgorithm } from '../types.js'

/** Stable identifiers of the forged variants. */
export type ForgeryId =
  | 'signature-removed'
  | 'alg-none'
  | 'alg-none-capitalized'
  | 'alg-none-uppercase'
  | 'alg-none-mixed-case'
  | 'hs256-public-pem'
  | 'hs256-public-jwk'
  | 'embedded-jwk'
  | 'jku-header'
  | 'x5u-header'
  | 'x5c-header'
  | 'kid-path-traversal'
  | 'kid-sql-injection'
  | 'expired'
  | 'not-yet-valid'
  | 'iat-future'
  | 'aud-changed'
  | 'iss-changed'
  | 'typ-changed'
  | 'typ-removed'
  | 'claims-tampered'
  | 'signature-bit-flipped'
  | 'oversized'

/**
 * Who produced a variant's signature:
 * - `issuer`: the genuine issuer key (through `signer` or `privateKey`), so only the
 *   named weakness is wrong with the token;
 * - `original`: the untouched original signature over different content (no signer given,
 *   or the point of the variant);
 * - `attacker`: a key the attacker generated;
 * - `public-key-hmac`: HMAC keyed with the issuer's public key;
 * - `none`: no signature at all.
 */
export type ForgedSignature = 'issuer' | 'original' | 'attacker' | 'public-key-hmac' | 'none'

/** One forged token. */
export interface ForgedToken {
  id: ForgeryId
  title: string
  /** The verifier weakness that would make this token pass. */
  weakness: string
  token: string
  signedBy: ForgedSignature
}

/** Signs a protected header and payload into a compact token. */
export interface TokenSigner {
  sign(header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string>
}

/** Options of {@link forgeTokens}. */
export interface ForgeOptions {
  /** The issuer's public key (KeyObject, SPKI PEM or JWK); needed for the HS256 variants. */
  publicKey?: KeyObject | string | Record<string, unknown>
  /** Re-signs claim and header variants with the genuine key, so each breaks one rule only. */
  signer?: TokenSigner
  /** Alternative to `signer`: the issuer's private key. */
  privateKey?: KeyObject
  /**
   * The attacker's key pair for the `jwk`, `jku`, `x5u`, `x5c` and `kid` variants, for
   * example so that a scanner can serve its public half at the `jku` URL.
   * @default a fresh key pair of the token's algorithm
   */
  attackerKey?: { privateKey: KeyObject; publicKey: KeyObject }
  /**
   * URL the `jku` variant points at.
   * @default 'https://attacker.invalid/jwks.json'
   */
  jkuUrl?: string
  /**
   * URL the `x5u` variant points at.
   * @default 'https://attacker.invalid/cert.pem'
   */
  x5uUrl?: string
  /**
   * Size the oversized variant exceeds, in bytes.
   * @default 8192
   */
  maxTokenBytes?: number
  /**
   * Reference time for the expired, not-yet-valid and future-iat variants.
   * @default new Date()
   */
  now?: Date
}

type Json = Record<string, unknown>

const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url')
const encodeJson = (value: Json) => b64(JSON.stringify(value))

/** The input of {@link decodeTokenParts} is not a compact JWS of JSON object header and claims. */
export class TokenPartsError extends TypeError {
  /** The part at fault; the message names it, never its content. */
  readonly part: 'token' | 'header' | 'claims' | 'signature'

  constructor(part: TokenPartsError['part'], message: string) {
    super(message)
    this.name = 'TokenPartsError'
    this.part = part
  }
}

/** A compact JWS decoded by {@link decodeTokenParts}; nothing about it is verified. */
export interface DecodedTokenParts {
  header: Record<string, unknown>
  claims: Record<string, unknown>
  /** The decoded signature bytes; empty for an unsigned token. */
  signature: Uint8Array
}

const BASE64URL_ALPHABET = /^[A-Za-z0-9_-]*$/
const PART_NAMES = ['header', 'claims', 'signature'] as const

function decodeObject(segment: string, part: 'header' | 'claims'): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
  } catch {
    throw new TokenPartsError(part, `${part} is not valid JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenPartsError(part, `${part} is not a JSON object`)
  }
  return value as Record<string, unknown>
}

/**
 * Decodes the header, claims and signature of a compact JWS without verifying anything,
 * for tools that look at tokens (forgeries, inspection). Lenient where the verifier is
 * strict: empty segments (an unsigned token), non-canonical base64url and invalid UTF-8 are
 * accepted; only three base64url-alphabet segments with JSON object header and claims are
 * required. Never use it to decide whether a token is trusted. Throws
 * {@link TokenPartsError} (a `TypeError`) naming the part at fault, never echoing the token.
 *
 * @example
 * ```ts
 * import { decodeTokenParts } from '@tessera/core/forge'
 *
 * const { header, claims, signature } = decodeTokenParts(accessToken)
 * console.log(header.kid, claims.exp, signature.length)
 * ```
 */
export function decodeTokenParts(token: string): DecodedTokenParts {
  const segments = token.split('.')
  if (segments.length !== 3) {
    throw new TokenPartsError(
      'token',
      `token must have 3 dot-separated parts, found ${segments.length}`,
    )
  }
  for (const [index, segment] of segments.entries()) {
    const part = PART_NAMES[index]!
    if (!BASE64URL_ALPHABET.test(segment)) {
      throw new TokenPartsError(part, `${part} is not base64url`)
    }
  }
  const [header, claims, signature] = segments as [string, string, string]
  return {
    header: decodeObject(header, 'header'),
    claims: decodeObject(claims, 'claims'),
    signature: Buffer.from(signature, 'base64url'),
  }
}

/** A fresh key pair of `alg` (RSA 2048 bits), generated as the key set generates its keys. */
async function attackerKeyPair(alg: SigningAlgorithm) {
  const { privateKey, publicKey } = await generateKey(alg)
  return { privateKey: privateKey!, publicKey }
}

/** A {@link TokenSigner} over a private key, using the header's `alg`. */
export function privateKeySigner(privateKey: KeyObject): TokenSigner {
  return {
    async sign(header, payload) {
      if (!isSigningAlgorithm(header.alg)) throw new TypeError('header alg is not supported')
      const input = `${encodeJson(header)}.${encodeJson(payload)}`
      return `${input}.${b64(createSignature(header.alg, privateKey, Buffer.from(input)))}`
    },
  }
}

function toPublicKeyObject(key: NonNullable<ForgeOptions['publicKey']>): KeyObject {
  if (key instanceof KeyObject) return key.type === 'public' ? key : createPublicKey(key)
  if (typeof key === 'string') return createPublicKey(key)
  return createPublicKey({ key: key as JsonWebKey, format: 'jwk' })
}

function hmacToken(header: Json, payload: Json, secret: Uint8Array | string) {
  const input = `${encodeJson(header)}.${encodeJson(payload)}`
  return `${input}.${b64(createHmac('sha256', secret).update(input).digest())}`
}

/**
 * Derives forged variants of a valid compact access token, one weakness each. Variants
 * that change claims or the header are re-signed with the genuine key when `signer` or
 * `privateKey` is given (`signedBy: 'issuer'`), otherwise they keep the original
 * signature (`signedBy: 'original'`) and a verifier may reject them for that reason alone.
 * The HS256 variants are produced only when `publicKey` is given.
 *
 * @example
 * ```ts
 * import { forgeTokens } from '@tessera/core/testing'
 *
 * for (const forged of await forgeTokens(token, { publicKey, privateKey })) {
 *   await expect(tessera.verifyAccessToken(forged.token)).rejects.toThrow()
 * }
 * ```
 */
export async function forgeTokens(
  token: string,
  options: ForgeOptions = {},
): Promise<ForgedToken[]> {
  const { header, claims: payload } = decodeTokenParts(token)
  const [headerSegment, payloadSegment, signature] = token.split('.') as [string, string, string]
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000)
  const signer = options.signer ?? (options.privateKey && privateKeySigner(options.privateKey))
  const attackerAlg = isSigningAlgorithm(header.alg) ? header.alg : 'ES256'
  const attacker = options.attackerKey ?? (await attackerKeyPair(attackerAlg))
  const attackerSigner = privateKeySigner(attacker.privateKey)
  const attackerJwk = attacker.publicKey.export({ format: 'jwk' })

  const variants: ForgedToken[] = []
  const add = (
    id: ForgeryId,
    title: string,
    weakness: string,
    forged: string,
    signedBy: ForgedSignature,
  ) => variants.push({ id, title, weakness, token: forged, signedBy })

  // Re-signed by the issuer when possible; otherwise the original signature is kept.
  const variant = async (nextHeader: Json, nextPayload: Json) =>
    signer
      ? { token: await signer.sign(nextHeader, nextPayload), signedBy: 'issuer' as const }
      : {
          token: `${encodeJson(nextHeader)}.${encodeJson(nextPayload)}.${signature}`,
          signedBy: 'original' as const,
        }

  add(
    'signature-removed',
    'signature removed',
    'accepts a token whose signature segment is empty',
    `${headerSegment}.${payloadSegment}.`,
    'none',
  )
  const noneSpellings: [ForgeryId, string][] = [
    ['alg-none', 'none'],
    ['alg-none-capitalized', 'None'],
    ['alg-none-uppercase', 'NONE'],
    ['alg-none-mixed-case', 'nOnE'],
  ]
  for (const [id, alg] of noneSpellings) {
    add(
      id,
      `alg "${alg}" with an empty signature`,
      'takes the algorithm from the token and accepts unsecured JWS',
      `${encodeJson({ ...header, alg })}.${payloadSegment}.`,
      'none',
    )
  }

  if (options.publicKey) {
    const publicKey = toPublicKeyObject(options.publicKey)
    const hs256 = { ...header, alg: 'HS256' }
    const pem = publicKey.export({ format: 'pem', type: 'spki' })
    // A JWK given by the caller is used as written: its exact text is what a confused
    // verifier would have on hand.
    const jwk =
      typeof options.publicKey === 'string' || options.publicKey instanceof KeyObject
        ? publicKey.export({ format: 'jwk' })
        : options.publicKey
    add(
      'hs256-public-pem',
      'HS256 keyed with the public key PEM',
      'verifies HMAC with the public key as the secret (algorithm confusion)',
      hmacToken(hs256, payload, pem),
      'public-key-hmac',
    )
    add(
      'hs256-public-jwk',
      'HS256 keyed with the public key JWK',
      'verifies HMAC with the public JWK text as the secret (algorithm confusion)',
      hmacToken(hs256, payload, JSON.stringify(jwk)),
      'public-key-hmac',
    )
  }

  const attackerSigned: [ForgeryId, string, string, Json][] = [
    [
      'embedded-jwk',
      'attacker key in jwk',
      'trusts a key embedded in the header',
      { jwk: attackerJwk },
    ],
    [
      'jku-header',
      'jku pointing at an attacker JWKS',
      'fetches keys from a URL named in the token',
      { jku: options.jkuUrl ?? 'https://attacker.invalid/jwks.json' },
    ],
    [
      'x5u-header',
      'x5u pointing at an attacker certificate',
      'fetches a certificate from a URL named in the token',
      { x5u: options.x5uUrl ?? 'https://attacker.invalid/cert.pem' },
    ],
    [
      'x5c-header',
      'x5c carrying the attacker key',
      'trusts a certificate chain embedded in the header',
      // The attacker's SPKI in place of a certificate: a verifier must never look at it.
      { x5c: [attacker.publicKey.export({ format: 'der', type: 'spki' }).toString('base64')] },
    ],
    [
      'kid-path-traversal',
      'kid with a path traversal',
      'resolves kid as a file path',
      { kid: '../../../../../../dev/null' },
    ],
    [
      'kid-sql-injection',
      'kid with SQL',
      'looks kid up with string-built SQL',
      { kid: "' UNION SELECT 'attacker-key' -- " },
    ],
  ]
  for (const [id, title, weakness, extra] of attackerSigned) {
    const forged = await attackerSigner.sign({ ...header, alg: attackerAlg, ...extra }, payload)
    add(id, title, weakness, forged, 'attacker')
  }

  const lifetime =
    typeof payload.exp === 'number' && typeof payload.iat === 'number'
      ? Math.max(payload.exp - payload.iat, 60)
      : 900
  const claimVariants: [ForgeryId, string, string, Json][] = [
    ['expired', 'expired', 'ignores exp', { iat: now - 3600 - lifetime, exp: now - 3600 }],
    ['not-yet-valid', 'nbf in the future', 'ignores nbf', { nbf: now + 3600 }],
    [
      'iat-future',
      'iat in the future',
      'accepts tokens issued in the future',
      { iat: now + 3600, exp: now + 3600 + lifetime },
    ],
    ['aud-changed', 'another audience', 'does not check aud', { aud: 'https://attacker.invalid' }],
    ['iss-changed', 'another issuer', 'does not check iss', { iss: 'https://attacker.invalid' }],
  ]
  for (const [id, title, weakness, changes] of claimVariants) {
    const forged = await variant(header, { ...payload, ...changes })
    add(id, title, weakness, forged.token, forged.signedBy)
  }

  const typChanged = await variant({ ...header, typ: 'JWT' }, payload)
  add(
    'typ-changed',
    'typ JWT',
    'accepts any JWT as an access token',
    typChanged.token,
    typChanged.signedBy,
  )
  const { typ: _typ, ...untyped } = header
  const typRemoved = await variant(untyped, payload)
  add('typ-removed', 'typ removed', 'accepts untyped tokens', typRemoved.token, typRemoved.signedBy)

  add(
    'claims-tampered',
    'claims changed after signing',
    'does not verify the signature over the payload',
    `${headerSegment}.${encodeJson({ ...payload, sub: 'admin', role: 'admin' })}.${signature}`,
    'original',
  )

  const flipped = Buffer.from(signature, 'base64url')
  if (flipped.length > 0) flipped[0]! ^= 0x01
  add(
    'signature-bit-flipped',
    'one signature bit flipped',
    'does not verify the signature',
    `${headerSegment}.${payloadSegment}.${b64(flipped)}`,
    'original',
  )

  const maxTokenBytes = options.maxTokenBytes ?? 8192
  const padded = encodeJson({ ...payload, pad: 'A'.repeat(maxTokenBytes) })
  add(
    'oversized',
    'token larger than the size limit',
    'parses unbounded input',
    `${headerSegment}.${padded}.${signature}`,
    'original',
  )

  return variants
}
