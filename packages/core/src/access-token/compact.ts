import { MalformedTokenError } from '../errors.js'

/** The three segments of a compact JWS, still base64url-encoded. */
export interface CompactParts {
  header: string
  payload: string
  signature: string
  /** `header.payload`: the exact bytes the signature covers (ASCII). */
  signingInput: string
}

const BASE64URL = /^[A-Za-z0-9_-]+$/
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
// Invalid UTF-8 and a byte order mark are errors, not silently replaced or skipped.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Whether `segment` is the one canonical base64url encoding of its bytes (RFC 7515 section 2,
 * RFC 4648 section 3.5): URL-safe alphabet only, no padding or whitespace, no impossible
 * length, and zero bits after the last full byte. Lenient decoders accept several spellings
 * of the same bytes; we accept one, so a token has exactly one valid text form.
 */
export function isCanonicalBase64url(segment: string): boolean {
  if (!BASE64URL.test(segment)) return false
  const remainder = segment.length % 4
  if (remainder === 0) return true
  if (remainder === 1) return false
  const last = ALPHABET.indexOf(segment[segment.length - 1]!)
  // 2 chars carry 1 byte (4 spare bits), 3 chars carry 2 bytes (2 spare bits).
  const spareBits = remainder === 2 ? 0b1111 : 0b11
  return (last & spareBits) === 0
}

/**
 * Step 1 of verification, before any decoding: size limit, then exactly three non-empty,
 * canonical base64url segments. Throws {@link MalformedTokenError}.
 */
export function splitCompact(token: unknown, maxTokenBytes: number): CompactParts {
  if (typeof token !== 'string') throw new MalformedTokenError('token must be a string')
  // A string longer than the limit in UTF-16 units is longer in UTF-8 bytes too; a shorter one
  // that is not ASCII fails the alphabet check below, so length is the byte count here.
  if (token.length > maxTokenBytes) {
    throw new MalformedTokenError(`token exceeds ${maxTokenBytes} bytes`, 'ERR_TOKEN_TOO_LARGE')
  }

  const first = token.indexOf('.')
  const second = first === -1 ? -1 : token.indexOf('.', first + 1)
  if (second === -1 || token.indexOf('.', second + 1) !== -1) {
    throw new MalformedTokenError('token must have exactly three segments')
  }

  const header = token.slice(0, first)
  const payload = token.slice(first + 1, second)
  const signature = token.slice(second + 1)
  for (const segment of [header, payload, signature]) {
    if (!isCanonicalBase64url(segment)) {
      throw new MalformedTokenError('token segment is not canonical base64url')
    }
  }
  return { header, payload, signature, signingInput: token.slice(0, second) }
}

/**
 * Decodes a base64url segment holding a JSON object (header or payload). Arrays, `null`,
 * numbers and strings are refused: every member lookup afterwards relies on a plain object.
 */
export function decodeJsonObject(segment: string, part: 'header' | 'payload') {
  let value: unknown
  try {
    value = JSON.parse(UTF8.decode(Buffer.from(segment, 'base64url')))
  } catch (cause) {
    throw new MalformedTokenError(`token ${part} is not valid JSON`, 'ERR_TOKEN_MALFORMED', {
      cause,
    })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedTokenError(`token ${part} is not a JSON object`)
  }
  return value as Record<string, unknown>
}
