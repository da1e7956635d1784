import { decodeTokenParts, TokenPartsError } from '@tessera/core/forge'

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

/**
 * Decodes header and claims of a compact JWS without verifying anything, with the lenient
 * decoder of `@tessera/core/forge`. Error messages name the part that is wrong, never its
 * contents.
 *
 * @example
 * ```ts
 * const { header, claims } = decodeToken(accessToken)
 * ```
 */
export function decodeToken(token: string): DecodedToken {
  const trimmed = token.trim()
  if (trimmed.split('.').length === 5) {
    throw new TokenDecodeError(
      'token is a JWE (5 parts); only signed tokens (JWS) can be inspected',
    )
  }
  try {
    const { header, claims, signature } = decodeTokenParts(trimmed)
    return {
      header,
      claims,
      sizeBytes: Buffer.byteLength(trimmed),
      signatureBytes: signature.length,
    }
  } catch (error) {
    if (error instanceof TokenPartsError) throw new TokenDecodeError(error.message)
    throw error
  }
}
