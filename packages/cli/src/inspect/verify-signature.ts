import { readFile } from 'node:fs/promises'
import {
  type CompactVerifyGetKey,
  type CryptoKey,
  compactVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  type JSONWebKeySet,
  type JWSHeaderParameters,
} from 'jose'
import { displaySource, hasCredentials, isUrl } from '../display-source.js'

/**
 * Why a signature was not verified: it does not verify (`bad-signature`), no key of the JWKS
 * fits the token's `kid` and `alg` (`no-matching-key`), the token's `alg` cannot be verified
 * with public keys (`unsupported-alg`), or the token is not a verifiable JWS (`malformed`).
 */
export type SignatureProblem = 'bad-signature' | 'no-matching-key' | 'unsupported-alg' | 'malformed'

/** Outcome of checking a token's signature against a JWKS that could be read. */
export type SignatureCheck =
  | { valid: true; kid: string | undefined }
  | { valid: false; problem: SignatureProblem; reason: string }

/**
 * The JWKS could not be had or is not a usable JWKS: a fact about the JWKS source, never
 * about the token. The message names the source (without credentials or query) and a short
 * reason, never the body.
 */
export class JwksUnavailableError extends Error {
  /** The source as printed. */
  readonly source: string
  readonly reason: string

  constructor(source: string, reason: string) {
    const shown = displaySource(source)
    super(`cannot read a JWKS from ${shown}: ${reason}`)
    this.name = 'JwksUnavailableError'
    this.source = shown
    this.reason = reason
  }
}

/** Options of {@link verifySignature} and {@link loadJwks}. */
export interface VerifySignatureOptions {
  /**
   * Time limit for fetching a remote JWKS, body included.
   * @default 5000
   */
  timeoutMs?: number
  /** HTTP client, injectable for tests. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch
}

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384']
const ALGORITHMS = [...ASYMMETRIC, 'ES512', 'EdDSA', 'Ed25519']
const MAX_JWKS_BYTES = 1024 * 1024

/**
 * Verifies only the signature of a token against a JWKS from a file or an `http(s)` URL.
 * Claims are not judged here; symmetric and `none` algorithms never verify. A JWKS that
 * cannot be read, fetched or parsed rejects with {@link JwksUnavailableError}; everything
 * else is a {@link SignatureCheck}.
 *
 * @example
 * ```ts
 * const check = await verifySignature(token, 'https://auth.example.com/.well-known/jwks.json')
 * if (!check.valid) console.error(check.problem, check.reason)
 * ```
 */
export async function verifySignature(
  token: string,
  jwksSource: string,
  options: VerifySignatureOptions = {},
): Promise<SignatureCheck> {
  const jwks = await loadJwks(jwksSource, options)
  const local = createLocalJWKSet(jwks)
  const compact = token.trim()
  let header: JWSHeaderParameters
  try {
    header = decodeProtectedHeader(compact)
  } catch {
    return { valid: false, problem: 'malformed', reason: 'the header cannot be decoded' }
  }

  const keys: CompactVerifyGetKey = async (protectedHeader, jws) => {
    try {
      return await local(protectedHeader, jws)
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey) throw error
      if (error instanceof errors.JWKSMultipleMatchingKeys) throw error
      // The one matching member cannot be imported as a public key: the JWKS is at fault.
      throw new JwksUnavailableError(jwksSource, `${keyName(header)} is not a usable public key`)
    }
  }

  try {
    const result = await compactVerify(compact, keys, { algorithms: ALGORITHMS })
    return { valid: true, kid: result.protectedHeader.kid }
  } catch (error) {
    if (error instanceof JwksUnavailableError) throw error
    if (error instanceof errors.JWKSMultipleMatchingKeys)
      return verifyWithEach(compact, error, header)
    return checkOf(error, jwks, header)
  }
}

/** Without a `kid` (or with a shared one) several keys match: the token verifies with any. */
async function verifyWithEach(
  token: string,
  candidates: AsyncIterable<CryptoKey>,
  header: JWSHeaderParameters,
): Promise<SignatureCheck> {
  let tried = 0
  for await (const key of candidates) {
    tried++
    try {
      await compactVerify(token, key, { algorithms: ALGORITHMS })
      return { valid: true, kid: header.kid }
    } catch {
      // Try the next matching key.
    }
  }
  return {
    valid: false,
    problem: 'bad-signature',
    reason: `signature does not verify with any of the ${tried} keys that fit`,
  }
}

/**
 * Reads a JWKS from a file or fetches it from an `http(s)` URL (no redirects, at most
 * 1 MiB, within `timeoutMs`), and checks that it is an object with a `keys` array of objects.
 *
 * @example
 * ```ts
 * const jwks = await loadJwks('https://auth.example.com/.well-known/jwks.json')
 * ```
 */
export async function loadJwks(
  source: string,
  options: VerifySignatureOptions = {},
): Promise<JSONWebKeySet> {
  const text = isUrl(source) ? await fetchText(source, options) : await readText(source)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new JwksUnavailableError(source, 'not JSON')
  }
  if (!isJwks(parsed)) throw new JwksUnavailableError(source, 'not a JWKS (no "keys" array)')
  return parsed
}

/** Reads and parses a JWKS file; the message names the file, never its contents. */
export async function readJwksFile(path: string): Promise<JSONWebKeySet> {
  return loadJwks(path)
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : `unreadable${code ? ` (${code})` : ''}`
    throw new JwksUnavailableError(path, reason)
  }
}

async function fetchText(url: string, options: VerifySignatureOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 5000
  const fetchImpl = options.fetch ?? globalThis.fetch
  const failure = (error: unknown) => new JwksUnavailableError(url, fetchFailure(error, timeoutMs))
  if (!URL.canParse(url)) throw new JwksUnavailableError(url, 'not a valid URL')
  if (hasCredentials(url))
    throw new JwksUnavailableError(url, 'credentials in the URL are not supported')
  let response: Response
  try {
    response = await fetchImpl(url, {
      headers: { accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (error) {
    throw failure(error)
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => {})
    const redirect = response.status >= 300 && response.status < 400
    throw new JwksUnavailableError(
      url,
      `HTTP ${response.status}${redirect ? ' (redirects are not followed)' : ''}`,
    )
  }
  try {
    return await readLimited(url, response)
  } catch (error) {
    if (error instanceof JwksUnavailableError) throw error
    throw failure(error)
  }
}

async function readLimited(url: string, response: Response): Promise<string> {
  if (!response.body) return ''
  const chunks: Uint8Array[] = []
  let bytes = 0
  for await (const chunk of response.body) {
    bytes += (chunk as Uint8Array).byteLength
    // Leaving the loop cancels the rest of the stream.
    if (bytes > MAX_JWKS_BYTES) throw new JwksUnavailableError(url, 'body over 1 MiB')
    chunks.push(chunk as Uint8Array)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function fetchFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError')
    return `no answer within ${timeoutMs / 1000} s`
  const cause = error instanceof Error ? error.cause : undefined
  const code = (cause as { code?: unknown } | undefined)?.code
  if (typeof code === 'string')
    return /^E[A-Z]+$/.test(code) ? `connection failed (${code})` : `request failed (${code})`
  // Such as undici's "bad port"; the message of a cause never holds the request's headers.
  const message = cause instanceof Error ? cause.message : ''
  return /^[\w .,'-]{1,40}$/.test(message) ? `request failed (${message})` : 'request failed'
}

function isJwks(value: unknown): value is JSONWebKeySet {
  if (typeof value !== 'object' || value === null) return false
  const keys = (value as { keys?: unknown }).keys
  return (
    Array.isArray(keys) &&
    keys.every((key) => typeof key === 'object' && key !== null && !Array.isArray(key))
  )
}

function checkOf(error: unknown, jwks: JSONWebKeySet, header: JWSHeaderParameters): SignatureCheck {
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return { valid: false, problem: 'bad-signature', reason: 'signature does not verify' }
  if (error instanceof errors.JWKSNoMatchingKey)
    return { valid: false, problem: 'no-matching-key', reason: noKeyReason(jwks, header) }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return {
      valid: false,
      problem: 'unsupported-alg',
      reason: `alg ${shown(header.alg)} cannot be verified with public keys`,
    }
  const code = error instanceof errors.JOSEError ? ` (${error.code})` : ''
  return { valid: false, problem: 'malformed', reason: `not a verifiable JWS${code}` }
}

/** Says which of `kid` and `alg` finds no key, so the reader knows which side to fix. */
function noKeyReason(jwks: JSONWebKeySet, header: JWSHeaderParameters): string {
  if (jwks.keys.length === 0) return 'the JWKS holds no key'
  const alg = shown(header.alg)
  if (typeof header.kid !== 'string')
    return `the token has no kid and no key in the JWKS fits alg ${alg}`
  if (!jwks.keys.some((key) => key.kid === header.kid))
    return `no key in the JWKS has kid ${shown(header.kid)}`
  return `the JWKS key with kid ${shown(header.kid)} is not usable for alg ${alg}`
}

function keyName(header: JWSHeaderParameters): string {
  return typeof header.kid === 'string' ? `the key with kid ${shown(header.kid)}` : 'the key'
}

/** A header value as printed in a reason: quoted and cut short. */
function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value)
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text)
}
