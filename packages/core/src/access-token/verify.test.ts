import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import {
  InvalidClaimsError,
  InvalidHeaderError,
  InvalidSignatureError,
  MalformedTokenError,
  TokenError,
  TokenExpiredError,
} from '../errors.js'
import { generateKey } from '../keys/generate.js'
import { type ForgeryId, forgeTokens } from '../testing/forge.js'
import type { ManagedKey, SigningAlgorithm } from '../types.js'
import {
  AUDIENCE,
  b64,
  ISSUER,
  type Json,
  keyFor,
  NOW,
  NOW_SECONDS,
  rejectionOf,
  setup,
  signedVariant,
  signWith,
  validParts,
} from './__fixtures__/tokens.js'
import { createSignature } from './signature.js'

type Expected = { error: new (...args: never[]) => TokenError; code: string } & Json

const malformed = { error: MalformedTokenError, code: 'ERR_TOKEN_MALFORMED' }
const badSignature = { error: InvalidSignatureError, code: 'ERR_SIGNATURE_INVALID' }
const algNotAllowed = {
  error: InvalidHeaderError,
  code: 'ERR_ALGORITHM_NOT_ALLOWED',
  parameter: 'alg',
}
const unknownKey = { error: InvalidHeaderError, code: 'ERR_KEY_UNKNOWN', parameter: 'kid' }
const header = (parameter: string) => ({
  error: InvalidHeaderError,
  code: 'ERR_TOKEN_HEADER_INVALID',
  parameter,
})
const claim = (name: string) => ({
  error: InvalidClaimsError,
  code: 'ERR_CLAIM_INVALID',
  claim: name,
})
const expired = { error: TokenExpiredError, code: 'ERR_TOKEN_EXPIRED' }

/** What the verifier must answer to each forged variant. Every ForgeryId must be listed. */
const FORGERY_EXPECTATIONS: Record<ForgeryId, Expected> = {
  // An empty segment fails step 1 before the header is read.
  'signature-removed': malformed,
  'alg-none': malformed,
  'alg-none-capitalized': malformed,
  'alg-none-uppercase': malformed,
  'alg-none-mixed-case': malformed,
  'hs256-public-pem': algNotAllowed,
  'hs256-public-jwk': algNotAllowed,
  'embedded-jwk': header('jwk'),
  'jku-header': header('jku'),
  'x5u-header': header('x5u'),
  'x5c-header': header('x5c'),
  'kid-path-traversal': unknownKey,
  'kid-sql-injection': unknownKey,
  expired,
  'not-yet-valid': claim('nbf'),
  'iat-future': claim('iat'),
  'aud-changed': claim('aud'),
  'iss-changed': claim('iss'),
  'typ-changed': header('typ'),
  'typ-removed': header('typ'),
  'claims-tampered': badSignature,
  'signature-bit-flipped': badSignature,
  oversized: { error: MalformedTokenError, code: 'ERR_TOKEN_TOO_LARGE' },
}

async function expectRejected(promise: Promise<unknown>, expected: Expected) {
  const { error: errorClass, ...fields } = expected
  const error = await rejectionOf(promise)
  expect(error).toBeInstanceOf(errorClass)
  expect(error).toMatchObject(fields)
}

async function singleKey(alg: SigningAlgorithm = 'ES256') {
  const key = await keyFor(alg)
  return { key, ...setup({ keys: [key] }) }
}

describe('createAccessTokenVerifier', () => {
  it.each(['ES256', 'RS256', 'EdDSA'] as const)(
    'accepts a %s token its issuer signed',
    async (alg) => {
      const { key, issuer, verify } = await singleKey(alg)
      const { token, jti } = await issuer.issue('user-1', 'admin')

      const verified = await verify(token)

      expect(verified.kid).toBe(key.kid)
      expect(verified.claims).toMatchObject({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1', jti })
      expect(verified.claims.role).toBe('admin')
    },
  )

  describe('against forged tokens', () => {
    it.each(['ES256', 'RS256', 'EdDSA'] as const)(
      'rejects every %s forgery with the error of the rule it breaks',
      async (alg) => {
        const { key, issuer, verify } = await singleKey(alg)
        const { token } = await issuer.issue('user-1')
        const forged = await forgeTokens(token, {
          publicKey: key.publicKey,
          privateKey: key.privateKey!,
          now: NOW,
        })

        expect(new Set(forged.map((variant) => variant.id))).toEqual(
          new Set(Object.keys(FORGERY_EXPECTATIONS)),
        )
        for (const variant of forged) {
          await expectRejected(verify(variant.token), FORGERY_EXPECTATIONS[variant.id])
        }
      },
    )

    it('rejects alg none in every spelling even with a signature present', async () => {
      const { key, issuer, verify } = await singleKey()
      const { token } = await issuer.issue('user-1')
      const signature = token.split('.')[2]!
      const forged = await forgeTokens(token, { publicKey: key.publicKey })
      const noneVariants = forged.filter((variant) => variant.id.startsWith('alg-none'))

      expect(noneVariants).toHaveLength(4)
      for (const variant of noneVariants) {
        await expectRejected(verify(`${variant.token}${signature}`), algNotAllowed)
      }
    })

    it('rejects HS256 keyed with a JWK given as an object', async () => {
      const { key, issuer, verify } = await singleKey('RS256')
      const { token } = await issuer.issue('user-1')
      const jwk = key.publicKey.export({ format: 'jwk' }) as Json
      const forged = await forgeTokens(token, { publicKey: jwk })

      const variant = forged.find((candidate) => candidate.id === 'hs256-public-jwk')!
      expect(variant.signedBy).toBe('public-key-hmac')
      await expectRejected(verify(variant.token), algNotAllowed)
    })
  })

  describe('step 1: size and compact form', () => {
    it('rejects a token longer than maxTokenBytes before parsing it', async () => {
      const key = await keyFor('ES256')
      const { issuer } = setup({ keys: [key] })
      const { token } = await issuer.issue('user-1')

      const { verify: exact } = setup({ keys: [key] }, { maxTokenBytes: token.length })
      const { verify: smaller } = setup({ keys: [key] }, { maxTokenBytes: token.length - 1 })

      await expect(exact(token)).resolves.toMatchObject({ kid: key.kid })
      await expectRejected(smaller(token), {
        error: MalformedTokenError,
        code: 'ERR_TOKEN_TOO_LARGE',
      })
    })

    it('rejects the default-size limit of 8 KiB', async () => {
      const { verify } = await singleKey()
      await expectRejected(verify(`${'a'.repeat(8191)}.b.c`), {
        error: MalformedTokenError,
        code: 'ERR_TOKEN_TOO_LARGE',
      })
    })

    it.each([
      ['two segments', (t: string) => t.split('.').slice(0, 2).join('.')],
      ['four segments', (t: string) => `${t}.${t.split('.')[2]}`],
      ['an empty header', (t: string) => `.${t.split('.').slice(1).join('.')}`],
      ['an empty payload', (t: string) => t.replace(/\.[^.]+\./, '..')],
      ['a segment of impossible length', (t: string) => `${t}AAA`],
      ['padding on a segment', (t: string) => `${t}=`],
      ['padding inside the payload', (t: string) => t.replace('.', '=.')],
      ['a plus sign', (t: string) => `${t.slice(0, -1)}+`],
      ['a slash', (t: string) => `${t.slice(0, -1)}/`],
      ['a leading space', (t: string) => ` ${t}`],
      ['a trailing newline', (t: string) => `${t}\n`],
      ['a tab inside the payload', (t: string) => t.replace('.', '.\t')],
      ['a non-ASCII character', (t: string) => `${t.slice(0, -1)}é`],
    ])('rejects a token with %s', async (_name, mutate) => {
      const { issuer, verify } = await singleKey()
      const { token } = await issuer.issue('user-1')
      await expectRejected(verify(mutate(token)), malformed)
    })

    it('rejects standard base64 where base64url is required, even when validly signed', async () => {
      const key = await keyFor('RS256')
      const { verify } = setup({ keys: [key] })
      // Sign until the signature has a '-' or '_', then write it in standard base64.
      for (let attempt = 0; attempt < 50; attempt++) {
        const token = await signedVariant(key, ({ payload }) => {
          payload.jti = `jti-${attempt}`
        })
        const signature = token.split('.')[2]!
        if (!/[-_]/.test(signature)) continue
        await expect(verify(token)).resolves.toBeDefined()
        const standard = signature.replaceAll('-', '+').replaceAll('_', '/')
        await expectRejected(verify(token.replace(signature, standard)), malformed)
        return
      }
      expect.fail('no signature with - or _ in 50 attempts')
    })

    it('rejects a segment whose unused trailing bits are not zero', async () => {
      const key = await keyFor('ES256')
      const { verify } = setup({ keys: [key] })
      // A 64-byte ES256 signature is 86 characters: the last one carries 4 unused bits.
      const token = await signedVariant(key, () => {})
      const signature = token.split('.')[2]!
      expect(signature.length % 4).toBe(2)
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
      const last = alphabet.indexOf(signature.at(-1)!)
      const sameBytes = `${signature.slice(0, -1)}${alphabet[last | 1]}`
      expect(Buffer.from(sameBytes, 'base64url')).toEqual(Buffer.from(signature, 'base64url'))

      await expectRejected(verify(token.replace(signature, sameBytes)), malformed)
    })

    it.each([
      ['an array', '[1]'],
      ['null', 'null'],
      ['a number', '1'],
      ['a string', '"at+jwt"'],
      ['not JSON', '{"alg":'],
    ])('rejects a header that is %s', async (_name, json) => {
      const { issuer, verify } = await singleKey()
      const { token } = await issuer.issue('user-1')
      const [, payload, signature] = token.split('.')
      await expectRejected(verify(`${b64(json)}.${payload}.${signature}`), malformed)
    })

    it.each([
      ['an array', '[{"sub":"user-1"}]'],
      ['null', 'null'],
      ['a number', '42'],
      ['a string', '"user-1"'],
      ['not JSON', '{"sub":'],
    ])('rejects a validly signed payload that is %s', async (_name, json) => {
      const key = await keyFor('ES256')
      const { verify } = setup({ keys: [key] })
      const { header: protectedHeader } = validParts(key)
      const input = `${b64(JSON.stringify(protectedHeader))}.${b64(json)}`
      const signature = createSignature(key.alg, key.privateKey!, Buffer.from(input))
      // The signature verifies, so the payload is parsed (after step 3) and refused.
      await expectRejected(verify(`${input}.${signature.toString('base64url')}`), malformed)
    })

    it('checks the signature before parsing the payload: a bad signature wins', async () => {
      const key = await keyFor('ES256')
      const { verify } = setup({ keys: [key] })
      const { header: protectedHeader } = validParts(key)
      const input = `${b64(JSON.stringify(protectedHeader))}.${b64('{"payload":')}`
      const signature = await signWith(key, protectedHeader, validParts(key).payload)
      const parse = vi.spyOn(JSON, 'parse')

      await expectRejected(verify(`${input}.${signature.split('.')[2]}`), badSignature)

      // The header went through JSON.parse; the unauthenticated payload never did.
      const parsed = parse.mock.calls.map(([text]) => text)
      expect(parsed).toContain(JSON.stringify(protectedHeader))
      expect(parsed).not.toContain('{"payload":')
    })

    it('refuses a header before parsing the payload', async () => {
      const key = await keyFor('ES256')
      const { verify } = setup({ keys: [key] })
      const { header: protectedHeader } = validParts(key)
      const input = `${b64(JSON.stringify({ ...protectedHeader, typ: 'JWT' }))}.${b64('["payload"')}`
      const signature = createSignature(key.alg, key.privateKey!, Buffer.from(input))
      const parse = vi.spyOn(JSON, 'parse')

      await expectRejected(verify(`${input}.${signature.toString('base64url')}`), header('typ'))
      expect(parse.mock.calls.map(([text]) => text)).not.toContain('["payload"')
    })

    it('rejects a header that is not valid UTF-8', async () => {
      const { issuer, verify } = await singleKey()
      const { token } = await issuer.issue('user-1')
      const bytes = Buffer.concat([
        Buffer.from('{"alg":"ES256","x":"'),
        Buffer.from([0xff]),
        Buffer.from('"}'),
      ])
      const [, payload, signature] = token.split('.')
      await expectRejected(
        verify(`${bytes.toString('base64url')}.${payload}.${signature}`),
        malformed,
      )
    })

    it('rejects a value that is not a string', async () => {
      const { verify } = await singleKey()
      await expectRejected(verify(undefined as unknown as string), malformed)
      await expectRejected(verify({} as unknown as string), malformed)
    })
  })

  describe('step 2: header', () => {
    it('rejects an ES256 token presented to an RS256-only verifier', async () => {
      const es = await keyFor('ES256')
      const rs = await generateKey('RS256', { state: 'next', now: NOW })
      const { issuer } = setup({ keys: [es, rs] })
      const { token } = await issuer.issue('user-1')
      const { verify } = setup({ keys: [es, rs] }, { algorithms: ['RS256'] })

      await expectRejected(verify(token), algNotAllowed)
    })

    it('rejects an RS256 token presented to an ES256-only verifier', async () => {
      const rs = await keyFor('RS256')
      const es = await generateKey('ES256', { state: 'next', now: NOW })
      const { issuer } = setup({ keys: [rs, es] })
      const { token } = await issuer.issue('user-1')
      const { verify } = setup({ keys: [rs, es] }, { algorithms: ['ES256'] })

      await expectRejected(verify(token), algNotAllowed)
    })

    it('rejects an alg that differs from the alg of the key kid names', async () => {
      const es = await keyFor('ES256')
      const rs = await generateKey('RS256', { state: 'next', now: NOW })
      const { verify } = setup({ keys: [es, rs] })
      // Signed by the RS256 key but claiming the kid of the ES256 key.
      const token = await signedVariant(rs, ({ header: h }) => {
        h.kid = es.kid
      })

      await expectRejected(verify(token), unknownKey)
    })

    it('takes the allow-list from the key set when none is configured', async () => {
      const key = await keyFor('EdDSA')
      const { config } = setup({ keys: [key] })
      expect(config.algorithms).toEqual(['EdDSA'])
    })

    it('rejects a kid that names no key of the set', async () => {
      const { verify } = await singleKey()
      const stranger = await generateKey('ES256', { now: NOW })
      await expectRejected(verify(await signedVariant(stranger, () => {})), unknownKey)
    })

    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['a number', 7],
    ])('rejects a kid that is %s', async (_name, kid) => {
      const key = await keyFor('ES256')
      const { verify } = setup({ keys: [key] })
      const token = await signedVariant(key, ({ header: h }) => {
        h.kid = kid
      })
      await expectRejected(verify(token), unknownKey)
    })

    it.each([
      ['jwk', { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }],
      ['jku', 'https://attacker.invalid/jwks.json'],
      ['x5u', 'https://attacker.invalid/cert.pem'],
      ['x5c', ['MIIB']],
    ])('rejects a %s header even on a validly signed token', async (parameter, value) => {
      const key = await keyFor('ES256')
      const { verify } = setup({ keys: [key] })
      const token = await signedVariant(key, ({ header: h }) => {
        h[parameter] = value
      })
      await expectRejected(verify(token), header(parameter))
    })

    it.each([
      ['an unknown extension', ['x-unknown'], { 'x-unknown': true }],
      ['b64', ['b64'], { b64: true }],
      ['a registered claim', ['exp'], {}],
    ])('rejects crit naming %s', async (_name, crit, extra) => {
      const key = await keyFor('ES256')
      const { verify } = setup({ keys: [key] })
      const token = await signedVariant(key, ({ header: h }) => {
        Object.assign(h, { crit, ...extra })
      })
      await expectRejected(verify(token), header('crit'))
    })

    it.each([
      ['missing', undefined],
      ['JWT', 'JWT'],
      ['another token type', 'dpop+jwt'],
      ['at+jwt with a suffix', 'at+jwt2'],
    ])('rejects typ %s', async (_name, typ) => {
      const key = await keyFor('ES256')
      const { verify } = setup({ keys: [key] })
      const token = await signedVariant(key, ({ header: h }) => {
        h.typ = typ
      })
      await expectRejected(verify(token), header('typ'))
    })

    it.each(['AT+JWT', 'application/at+jwt', 'Application/AT+JWT'])(
      'accepts typ %s',
      async (typ) => {
        const key = await keyFor('ES256')
        const { verify } = setup({ keys: [key] })
        const token = await signedVariant(key, ({ header: h }) => {
          h.typ = typ
        })
        await expect(verify(token)).resolves.toMatchObject({ kid: key.kid })
      },
    )
  })

  describe('step 3: signature', () => {
    it('rejects a token signed by a retired key', async () => {
      const active = await keyFor('ES256')
      const retired = await generateKey('ES256', { state: 'retired', now: NOW })
      const { verify } = setup({ keys: [active, retired] })
      await expectRejected(verify(await signedVariant(retired, () => {})), unknownKey)
    })

    it.each(['retiring', 'next'] as const)('accepts a token signed by a %s key', async (state) => {
      const active = await keyFor('ES256')
      const other = await generateKey('ES256', { state, now: NOW })
      const { verify } = setup({ keys: [active, other] })
      await expect(verify(await signedVariant(other, () => {}))).resolves.toMatchObject({
        kid: other.kid,
      })
    })

    it('verifies with exactly the key kid names, not any key of the set', async () => {
      const active = await keyFor('ES256')
      const next = await generateKey('ES256', { state: 'next', now: NOW })
      const { verify } = setup({ keys: [active, next] })
      const token = await signedVariant(next, ({ header: h }) => {
        h.kid = active.kid
      })
      await expectRejected(verify(token), badSignature)
    })

    it('rejects a signature of the wrong length', async () => {
      const { issuer, verify } = await singleKey()
      const { token } = await issuer.issue('user-1')
      await expectRejected(verify(`${token}AAAA`), badSignature)
    })
  })

  describe('step 4: claims', () => {
    const claimCase = async (change: (payload: Json) => void) => {
      const key = await keyFor('ES256')
      const { verify } = setup({ keys: [key] })
      return verify(await signedVariant(key, ({ payload }) => change(payload)))
    }

    it.each(['iss', 'sub', 'aud', 'exp', 'iat', 'jti'])(
      'rejects a token without %s',
      async (name) => {
        await expectRejected(
          claimCase((payload) => {
            delete payload[name]
          }),
          claim(name),
        )
      },
    )

    it.each(['sub', 'jti'])('rejects an empty %s', async (name) => {
      await expectRejected(
        claimCase((payload) => {
          payload[name] = ''
        }),
        claim(name),
      )
    })

    it.each([
      ['a prefix', `${ISSUER}.evil`],
      ['a suffix', `${ISSUER}/`],
      ['case', ISSUER.toUpperCase()],
      ['a leading prefix', `x${ISSUER}`],
    ])('rejects an iss differing by %s', async (_name, iss) => {
      await expectRejected(
        claimCase((payload) => {
          payload.iss = iss
        }),
        claim('iss'),
      )
    })

    it('accepts an aud array that contains our audience', async () => {
      await expect(
        claimCase((payload) => {
          payload.aud = ['https://other.example.com', AUDIENCE]
        }),
      ).resolves.toBeDefined()
    })

    it.each([
      ['an array without our audience', ['https://other.example.com', `${AUDIENCE}/`]],
      ['an empty array', []],
      ['our audience in another case', AUDIENCE.toUpperCase()],
      ['a nested array', [[AUDIENCE]]],
      ['an array with a non-string member', [AUDIENCE, 42]],
    ])('rejects aud as %s', async (_name, aud) => {
      await expectRejected(
        claimCase((payload) => {
          payload.aud = aud
        }),
        claim('aud'),
      )
    })

    it('rejects an expired token with its expiry time', async () => {
      const error = await rejectionOf(
        claimCase((payload) => {
          payload.exp = NOW_SECONDS - 31
        }),
      )
      expect(error).toBeInstanceOf(TokenExpiredError)
      expect(error).toMatchObject({ code: 'ERR_TOKEN_EXPIRED' })
      expect((error as TokenExpiredError).expiredAt).toEqual(new Date((NOW_SECONDS - 31) * 1000))
    })

    it('accepts a token expired by less than the clock tolerance', async () => {
      await expect(
        claimCase((payload) => {
          payload.exp = NOW_SECONDS - 29
        }),
      ).resolves.toBeDefined()
    })

    it('rejects nbf in the future beyond the tolerance and accepts it within', async () => {
      await expectRejected(
        claimCase((payload) => {
          payload.nbf = NOW_SECONDS + 31
        }),
        claim('nbf'),
      )
      await expect(
        claimCase((payload) => {
          payload.nbf = NOW_SECONDS + 30
        }),
      ).resolves.toBeDefined()
    })

    it('rejects iat in the future beyond the tolerance and accepts it within', async () => {
      await expectRejected(
        claimCase((payload) => {
          payload.iat = NOW_SECONDS + 31
        }),
        claim('iat'),
      )
      await expect(
        claimCase((payload) => {
          payload.iat = NOW_SECONDS + 30
        }),
      ).resolves.toBeDefined()
    })

    it.each([
      ['exp', 'soon'],
      ['iat', null],
      ['nbf', '0'],
      ['exp', Number.POSITIVE_INFINITY],
      ['role', 1],
      ['ver', -1],
      ['ver', 1.5],
    ])('rejects %s of the wrong type (%s)', async (name, value) => {
      await expectRejected(
        claimCase((payload) => {
          payload[name] = value
        }),
        claim(name),
      )
    })

    it('applies the configured clock tolerance', async () => {
      const key = await keyFor('ES256')
      const { verify } = setup({ keys: [key] }, { clockToleranceSeconds: 0 })
      const token = await signedVariant(key, ({ payload }) => {
        payload.iat = NOW_SECONDS + 1
      })
      await expectRejected(verify(token), claim('iat'))
    })
  })

  describe('error hygiene', () => {
    it('never puts token material in a message', async () => {
      const { key, issuer, verify } = await singleKey()
      const { token } = await issuer.issue('user-1')
      const forged = await forgeTokens(token, { publicKey: key.publicKey, now: NOW })
      for (const variant of forged) {
        const error = (await rejectionOf(verify(variant.token))) as Error
        for (const segment of variant.token.split('.').filter((part) => part.length > 8)) {
          expect(error.message).not.toContain(segment.slice(0, 16))
        }
        expect(error.message).not.toContain('user-1')
      }
    })

    it('only ever rejects random strings with a TokenError', async () => {
      const { verify } = await singleKey()
      const base64urlChars = fc.constantFrom(
        ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ '.split(''),
      )
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.string(), fc.string({ unit: base64urlChars }), fc.string({ unit: 'binary' })),
          async (input) => {
            const error = await rejectionOf(verify(input))
            expect(error).toBeInstanceOf(TokenError)
          },
        ),
        { numRuns: 300 },
      )
    })

    it('only ever rejects mutated valid tokens, and only with a TokenError', async () => {
      const { issuer, verify } = await singleKey()
      const { token } = await issuer.issue('user-1', 'admin')
      const mutation = fc.oneof(
        fc.record({
          kind: fc.constant('replace' as const),
          at: fc.nat(),
          char: fc.string({ minLength: 1, maxLength: 1 }),
        }),
        fc.record({
          kind: fc.constant('insert' as const),
          at: fc.nat(),
          char: fc.string({ minLength: 1, maxLength: 3 }),
        }),
        fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), char: fc.constant('') }),
        fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), char: fc.constant('') }),
      )
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
          let mutated = token
          for (const { kind, at, char } of mutations) {
            const i = at % (mutated.length + 1)
            if (kind === 'replace') mutated = mutated.slice(0, i) + char + mutated.slice(i + 1)
            else if (kind === 'insert') mutated = mutated.slice(0, i) + char + mutated.slice(i)
            else if (kind === 'delete') mutated = mutated.slice(0, i) + mutated.slice(i + 1)
            else {
              const j = i % mutated.length
              const flipped = String.fromCharCode(mutated.charCodeAt(j) ^ (1 << (at % 7)))
              mutated = mutated.slice(0, j) + flipped + mutated.slice(j + 1)
            }
          }
          fc.pre(mutated !== token)
          const error = await rejectionOf(verify(mutated))
          expect(error).toBeInstanceOf(TokenError)
        }),
        { numRuns: 500 },
      )
    })
  })
})

describe('forgeTokens', () => {
  it('re-signs claim and header variants with the issuer key when given one', async () => {
    const { key, issuer } = await singleKey()
    const { token } = await issuer.issue('user-1')
    const forged = await forgeTokens(token, { privateKey: key.privateKey!, now: NOW })
    const byId = new Map(forged.map((variant) => [variant.id, variant]))

    for (const id of [
      'expired',
      'not-yet-valid',
      'iat-future',
      'aud-changed',
      'iss-changed',
      'typ-changed',
      'typ-removed',
    ] as const) {
      expect(byId.get(id)?.signedBy).toBe('issuer')
    }
    expect(byId.has('hs256-public-pem')).toBe(false)
  })

  it('keeps the original signature and says so when no signer is given', async () => {
    const { issuer, verify } = await singleKey()
    const { token } = await issuer.issue('user-1')
    const forged = await forgeTokens(token, { now: NOW })
    const expiredVariant = forged.find((variant) => variant.id === 'expired')!

    expect(expiredVariant.signedBy).toBe('original')
    expect(expiredVariant.token.split('.')[2]).toBe(token.split('.')[2])
    await expectRejected(verify(expiredVariant.token), badSignature)
  })

  it('uses the signer it is given', async () => {
    const { key, issuer } = await singleKey()
    const { token } = await issuer.issue('user-1')
    const calls: Json[] = []
    const forged = await forgeTokens(token, {
      now: NOW,
      signer: {
        sign: (h, p) => {
          calls.push(p)
          return signWith(key as ManagedKey, h, p)
        },
      },
    })
    expect(calls.length).toBe(forged.filter((variant) => variant.signedBy === 'issuer').length)
    expect(calls.length).toBeGreaterThan(0)
  })

  it('signs the attacker variants with the attacker key it is given', async () => {
    const { issuer } = await singleKey()
    const { token } = await issuer.issue('user-1')
    const attacker = await generateKey('ES256', { now: NOW })
    const attackerKey = { privateKey: attacker.privateKey!, publicKey: attacker.publicKey }
    const { verify } = setup({ keys: [attacker] })
    const forged = await forgeTokens(token, { attackerKey, now: NOW })
    const embedded = forged.find((variant) => variant.id === 'embedded-jwk')!

    expect(embedded.signedBy).toBe('attacker')
    // Even a verifier that holds the attacker key refuses a token that embeds a key.
    await expectRejected(verify(embedded.token), header('jwk'))
    const jwk = JSON.parse(Buffer.from(embedded.token.split('.')[0]!, 'base64url').toString()).jwk
    expect(jwk).toEqual(attacker.publicKey.export({ format: 'jwk' }))
  })

  it('refuses input that is not a compact JWS of JSON objects', async () => {
    await expect(forgeTokens('not-a-token')).rejects.toThrow(TypeError)
  })
})
