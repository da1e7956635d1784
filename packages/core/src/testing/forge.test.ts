import { describe, expect, it } from 'vitest'
import { decodeTokenParts, TokenPartsError } from './forge.js'

const b64 = (text: string) => Buffer.from(text).toString('base64url')

function errorOf(token: string): TokenPartsError {
  try {
    decodeTokenParts(token)
  } catch (error) {
    if (error instanceof TokenPartsError) return error
    throw error
  }
  return expect.fail('expected decodeTokenParts to throw')
}

describe('decodeTokenParts', () => {
  it('decodes header, claims and signature bytes without verifying', () => {
    const token = `${b64('{"alg":"ES256","kid":"k"}')}.${b64('{"sub":"u"}')}.${b64('sig')}`

    const decoded = decodeTokenParts(token)

    expect(decoded.header).toEqual({ alg: 'ES256', kid: 'k' })
    expect(decoded.claims).toEqual({ sub: 'u' })
    expect(Buffer.from(decoded.signature).toString()).toBe('sig')
  })

  it('accepts an empty signature (an unsigned token)', () => {
    const decoded = decodeTokenParts(`${b64('{"alg":"none"}')}.${b64('{}')}.`)
    expect(decoded.signature).toHaveLength(0)
  })

  it('accepts non-canonical base64url, which the verifier refuses', () => {
    // 'fQ' and 'fR' decode to the same byte; the second has non-zero spare bits.
    const decoded = decodeTokenParts(`${b64('{}')}.${b64('{}')}.fR`)
    expect(decoded.signature).toEqual(Buffer.from([0x7d]))
  })

  it.each([
    ['two parts', `${b64('{}')}.${b64('{}')}`, 'token', /found 2/],
    ['four parts', `${b64('{}')}.${b64('{}')}..`, 'token', /found 4/],
    ['a padded header', `${b64('{}')}=.${b64('{}')}.`, 'header', /not base64url/],
    ['a header that is not JSON', `${b64('{"a":')}.${b64('{}')}.`, 'header', /not valid JSON/],
    ['claims that are an array', `${b64('{}')}.${b64('[1]')}.`, 'claims', /not a JSON object/],
    ['a signature with +', `${b64('{}')}.${b64('{}')}.a+b`, 'signature', /not base64url/],
  ])('refuses %s, naming the part and not its content', (_name, token, part, message) => {
    const error = errorOf(token)
    expect(error).toBeInstanceOf(TypeError)
    expect(error.part).toBe(part)
    expect(error.message).toMatch(message)
    for (const segment of token.split('.').filter((text) => text.length > 2))
      expect(error.message).not.toContain(segment)
  })
})
