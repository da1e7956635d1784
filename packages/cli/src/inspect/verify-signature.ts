import { readFile } from 'node:fs/promises'
import {
  compactVerify,
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
} from 'jose'

/** Outcome of checking a token's signature against a JWKS. */
export type SignatureCheck =
  | { valid: true; kid: string | undefined }
  | { valid: false; reason: string }

/** Options of {@link verifySignature}. */
export interface VerifySignatureOptions {
  /**
   * Time limit for fetching a remote JWKS.
   * @default 5000
   */
  timeoutMs?: number
}

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384']
const ALGORITHMS = [...ASYMMETRIC, 'ES512', 'EdDSA', 'Ed25519']

/**
 * Verifies only the signature of a token against a JWKS from a file or an `http(s)` URL.
 * Claims are not judged here; symmetric and `none` algorithms never verify.
 *
 * @example
 * ```ts
 * const check = await verifySignature(token, 'https://auth.example.com/.well-known/jwks.json')
 * if (!check.valid) console.error(check.reason)
 * ```
 */
export async function verifySignature(
  token: string,
  jwksSource: string,
  options: VerifySignatureOptions = {},
): Promise<SignatureCheck> {
  const keys = isUrl(jwksSource)
    ? createRemoteJWKSet(new URL(jwksSource), { timeoutDuration: options.timeoutMs ?? 5000 })
    : createLocalJWKSet(await readJwksFile(jwksSource))

  try {
    const result = await compactVerify(token.trim(), keys, { algorithms: ALGORITHMS })
    return { valid: true, kid: result.protectedHeader.kid }
  } catch (error) {
    return { valid: false, reason: reasonOf(error) }
  }
}

/** Reads and parses a JWKS file; the message names the file, never its contents. */
export async function readJwksFile(path: string): Promise<JSONWebKeySet> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch {
    throw new Error(`cannot read a JWKS from ${path}`)
  }
  if (!isJwks(parsed)) throw new Error(`${path} is not a JWKS (no "keys" array)`)
  return parsed
}

/** Whether a `--jwks` value is a URL rather than a file path. */
export function isUrl(value: string): boolean {
  return /^https?:\/\//i.test(value)
}

function isJwks(value: unknown): value is JSONWebKeySet {
  return (
    typeof value === 'object' && value !== null && Array.isArray((value as { keys?: unknown }).keys)
  )
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature does not verify'
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key in the JWKS matches kid and alg'
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm is not an asymmetric one'
  if (error instanceof errors.JWKSTimeout) return 'fetching the JWKS timed out'
  if (error instanceof errors.JOSEError) return `verification failed (${error.code})`
  return 'verification failed'
}
