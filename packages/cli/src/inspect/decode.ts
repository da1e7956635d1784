/** A compact JWS split and decoded, without any verification. */
export interface DecodedToken {
  header: Record<string, unknown>
  claims: Record<string, unknown>
  /** Length of the whole compact token in bytes. */
  sizeBytes: number
  /** Length of the decoded signature in bytes (0 for an unsigned token). */
  signatureBytes: number
}

/** The input is not a compact JWS with JSON object header and claims. */
export class TokenDecodeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TokenDecodeError'
  }
}

const BASE64URL = /^[A-Za-z0-9_-]*$/

/**
 * Decodes header and claims of a compact JWS without verifying anything. Error messages
 * name the part that is wrong, never its contents.
 *
 * @example
 * ```ts
 * const { header, claims } = decodeToken(accessToken)
 * ```
 */
export function decodeToken(token: string): DecodedToken {
  const trimmed = token.trim()
  const parts = trimmed.split('.')
  if (parts.length !== 3) {
    throw new TokenDecodeError(
      parts.length === 5
        ? 'token is a JWE (5 parts); only signed tokens (JWS) can be inspected'
        : `token must have 3 dot-separated parts, found ${parts.length}`,
    )
  }

  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string]
  const names = ['header', 'claims', 'signature'] as const
  for (const [index, part] of parts.entries()) {
    if (!BASE64URL.test(part)) throw new TokenDecodeError(`${names[index]} is not base64url`)
  }

  return {
    header: decodeObject(headerPart, 'header'),
    claims: decodeObject(payloadPart, 'claims'),
    sizeBytes: Buffer.byteLength(trimmed),
    signatureBytes: Buffer.from(signaturePart, 'base64url').length,
  }
}

function decodeObject(part: string, name: 'header' | 'claims'): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
  } catch {
    throw new TokenDecodeError(`${name} is not valid JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenDecodeError(`${name} is not a JSON object`)
  }
  return value as Record<string, unknown>
}
