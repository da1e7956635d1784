import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CryptoKey, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../main.js'

const { privateKey, publicKey } = await generateKeyPair('ES256')
const other = await generateKeyPair('ES256')
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] }
const now = Math.floor(Date.now() / 1000)
const goodClaims = {
  iss: 'https://auth.example.com',
  aud: 'https://api.example.com',
  sub: 'user-1',
  jti: 'a1b2c3d4e5f6a7b8',
  iat: now,
  exp: now + 900,
}

function sign(claims: JWTPayload = goodClaims, header: Record<string, unknown> = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt', ...header })
    .sign(privateKey)
}

function unsigned(header: Record<string, unknown>, claims: Record<string, unknown>) {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${encode(header)}.${encode(claims)}.`
}

/** Runs `use` with the URL of a loopback server answering every request with `handler`. */
async function withServer(
  handler: Parameters<typeof createServer>[1],
  use: (url: string) => Promise<void>,
): Promise<void> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  try {
    await use(`http://127.0.0.1:${port}`)
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}

const tempDirs: string[] = []
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

async function jwksFile(content: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-inspect-'))
  tempDirs.push(dir)
  const file = join(dir, 'jwks.json')
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content))
  return file
}

async function inspect(...args: string[]) {
  let stdout = ''
  let stderr = ''
  const io = {
    stdout: (text: string) => (stdout += text),
    stderr: (text: string) => (stderr += text),
  }
  const code = await main(['node', 'tessera', 'inspect', ...args], io)
  return { code, stdout, stderr }
}

async function findingIds(...args: string[]) {
  const { stdout } = await inspect(...args, '--json')
  return (JSON.parse(stdout) as { findings: { id: string }[] }).findings.map(({ id }) => id)
}

describe('tessera inspect', () => {
  it('prints header and claims but never the token or its signature', async () => {
    const token = await sign()
    const { code, stdout, stderr } = await inspect(token)

    expect(code).toBe(0)
    expect(stdout).toContain('"https://auth.example.com"')
    expect(stdout).toContain('"at+jwt"')
    for (const part of [token, token.split('.')[2]!]) {
      expect(stdout).not.toContain(part)
      expect(stderr).not.toContain(part)
    }
  })

  it('reports no finding for a well-formed short-lived asymmetric token', async () => {
    expect(await findingIds(await sign())).toEqual([])
  })

  it('flags alg none as high and exits with 1', async () => {
    const token = unsigned({ alg: 'none', typ: 'at+jwt', kid: 'k1' }, goodClaims)
    const { code, stdout, stderr } = await inspect(token)

    expect(code).toBe(1)
    expect(stdout).toMatch(/HIGH\s+alg-none/)
    expect(stderr).toContain('1 high-severity finding')
  })

  it('flags a symmetric algorithm as medium without failing', async () => {
    const secret = new TextEncoder().encode('a-test-secret-of-at-least-32-bytes!!')
    const token = await new SignJWT(goodClaims)
      .setProtectedHeader({ alg: 'HS256', kid: 'k1', typ: 'at+jwt' })
      .sign(secret)
    const { code, stdout } = await inspect(token)

    expect(code).toBe(0)
    expect(stdout).toMatch(/MEDIUM\s+alg-symmetric/)
  })

  it('lists missing kid, typ and registered claims', async () => {
    const token = await new SignJWT({ sub: 'user-1' })
      .setProtectedHeader({ alg: 'ES256' })
      .sign(privateKey)

    expect(await findingIds(token)).toEqual([
      'exp-missing',
      'aud-missing',
      'kid-missing',
      'typ-missing',
      'iat-missing',
      'jti-missing',
      'iss-missing',
    ])
  })

  it('flags a lifetime over --max-lifetime', async () => {
    const token = await sign({ ...goodClaims, exp: now + 7200 })

    expect(await findingIds(token)).toEqual(['lifetime-long'])
    expect(await findingIds(token, '--max-lifetime', '7200')).toEqual([])
  })

  it('flags iat in the future', async () => {
    const token = await sign({ ...goodClaims, iat: now + 600, exp: now + 1200 })
    expect(await findingIds(token)).toEqual(['iat-future'])
  })

  it('flags headers that name a remote key or embed one', async () => {
    const jwk = await exportJWK(other.publicKey)
    const token = await sign(goodClaims, {
      jku: 'https://keys.example.com/jwks.json',
      x5u: 'https://keys.example.com/cert.pem',
      jwk,
    })
    expect(await findingIds(token)).toEqual(['header-jku', 'header-x5u', 'header-jwk'])
  })

  it('redacts the private members of an embedded jwk and flags it, in text and --json', async () => {
    const leaked = await generateKeyPair('ES256', { extractable: true })
    const jwk = await exportJWK(leaked.privateKey)
    const token = await sign(goodClaims, { jwk })
    const text = await inspect(token)
    const json = await inspect(token, '--json')

    expect(text.code).toBe(1)
    expect(text.stdout).toMatch(/HIGH\s+header-jwk-private/)
    for (const output of [text.stdout, json.stdout]) {
      expect(output).not.toContain(jwk.d)
      expect(output).toContain(jwk.x)
    }
    const report = JSON.parse(json.stdout) as { header: { jwk: Record<string, unknown> } }
    expect(report.header.jwk.d).toBe('[redacted]')
  })

  it('redacts the k of an embedded oct jwk', async () => {
    const k = Buffer.from('an-embedded-symmetric-key-of-32-bytes').toString('base64url')
    const token = unsigned(
      { alg: 'HS256', typ: 'at+jwt', kid: 'k1', jwk: { kty: 'oct', k } },
      goodClaims,
    )
    const { code, stdout } = await inspect(token, '--json')

    expect(code).toBe(1)
    expect(stdout).not.toContain(k)
    expect(await findingIds(token)).toContain('header-jwk-private')
  })

  it('redacts and flags claims that carry tokens, in text and --json', async () => {
    const inner = await sign({ sub: 'user-2' })
    const refresh = 'opaque-refresh-value-0123456789'
    const token = await sign({ ...goodClaims, refresh_token: refresh, upstream: inner })
    const text = await inspect(token)
    const json = await inspect(token, '--json')

    expect(text.code).toBe(1)
    expect(text.stdout).toMatch(/HIGH\s+claim-token\s+claim "refresh_token"/)
    expect(text.stdout).toMatch(/HIGH\s+claim-token\s+claim "upstream"/)
    for (const output of [text.stdout, json.stdout]) {
      expect(output).not.toContain(refresh)
      expect(output).not.toContain(inner.split('.')[1])
    }
  })

  it('flags kid values shaped like a path or SQL', async () => {
    expect(await findingIds(await sign(goodClaims, { kid: '../../etc/passwd' }))).toEqual([
      'kid-suspicious',
    ])
  })

  it('flags sensitive-looking claims by key, by value and by Luhn-valid card numbers', async () => {
    const token = await sign({
      ...goodClaims,
      email: 'alice@example.com',
      profile: { given_name: 'Alice', contact: 'alice@example.org' },
      password: 'hunter2',
      payment: '4111 1111 1111 1111',
      reference: '4111111111111112',
    })
    const { stdout } = await inspect(token, '--json')
    const findings = (JSON.parse(stdout) as { findings: { id: string; message: string }[] })
      .findings

    expect(findings.map(({ id, message }) => `${id} ${message.split('"')[1]}`).sort()).toEqual([
      'claim-card-number payment',
      'claim-email email',
      'claim-email profile.contact',
      'claim-personal-name profile.given_name',
      'claim-secret password',
    ])
    // The findings name claims, never their values.
    expect(stdout.split('"findings"')[1]).not.toContain('hunter2')
  })

  it('never prints the values of claims that look like secrets or card numbers', async () => {
    const token = await sign({
      ...goodClaims,
      password: 'hunter2-dummy',
      nested: { api_key: 'sk-dummy-0001', cards: ['4111 1111 1111 1111'] },
      payment: '4111111111111111',
    })
    for (const args of [[token], [token, '--json']]) {
      const { stdout } = await inspect(...args)
      for (const secret of [
        'hunter2-dummy',
        'sk-dummy-0001',
        '4111 1111 1111 1111',
        '4111111111111111',
      ])
        expect(stdout).not.toContain(secret)
      expect(stdout).toContain('[redacted]')
    }
  })

  it('flags a token over --max-bytes', async () => {
    const token = await sign({ ...goodClaims, pad: 'x'.repeat(300) })
    expect(await findingIds(token)).toEqual([])
    expect(await findingIds(token, '--max-bytes', '256')).toEqual(['oversized'])
  })

  it('verifies the signature against a JWKS file', async () => {
    const file = join(tmpdir(), `tessera-inspect-${process.pid}.json`)
    await writeFile(file, JSON.stringify(jwks))

    const good = await inspect(await sign(), '--jwks', file)
    expect(good.code).toBe(0)
    expect(good.stdout).toContain('verified with kid k1')

    const forged = await new SignJWT(goodClaims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
      .sign(other.privateKey)
    const bad = await inspect(forged, '--jwks', file)
    expect(bad.code).toBe(1)
    expect(bad.stdout).toMatch(/HIGH\s+signature-invalid\s+signature does not verify/)
  })

  it('verifies the signature against a JWKS URL', async () => {
    const server = createServer((_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      const { code, stdout } = await inspect(
        await sign(),
        '--jwks',
        `http://127.0.0.1:${port}/jwks.json`,
      )
      expect(code).toBe(0)
      expect(stdout).toContain('verified with kid k1')
    } finally {
      server.close()
    }
  })

  describe('with a --jwks that cannot be had', () => {
    /** The token is fine, so the JWKS is blamed, with exit 2 and no report or finding. */
    async function expectJwksError(source: string, reason: string, ...extra: string[]) {
      const result = await inspect(await sign(), '--jwks', source, ...extra)

      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr: `error: cannot read a JWKS from ${source}: ${reason}\n`,
      })
    }

    it('reports an unreachable URL', async () => {
      let closed = ''
      await withServer(
        (_, response) => response.end(),
        async (url) => {
          closed = url
        },
      )

      await expectJwksError(`${closed}/jwks.json`, 'connection failed (ECONNREFUSED)')
    })

    it('reports a URL that fetch refuses, such as port 9', async () => {
      const { code, stdout, stderr } = await inspect(
        await sign(),
        '--jwks',
        'http://127.0.0.1:9/jwks.json',
      )

      expect(code).toBe(2)
      expect(stdout).toBe('')
      expect(stderr).toMatch(
        /^error: cannot read a JWKS from http:\/\/127.0.0.1:9\/jwks.json: request/,
      )
      expect(stderr.trimEnd().split('\n')).toHaveLength(1)
    })

    it.each([
      [404, 'application/json', '{"error":"not found"}', 'HTTP 404'],
      [302, 'text/plain', '', 'HTTP 302 (redirects are not followed)'],
      [200, 'text/html', '<html>login</html>', 'not JSON'],
      [200, 'application/json', '{"issuer":"x"}', 'not a JWKS (no "keys" array)'],
      [200, 'application/json', '{"keys":["k1"]}', 'not a JWKS (no "keys" array)'],
    ])('reports a URL answering %i %s %j', async (status, type, body, reason) => {
      await withServer(
        (_, response) => response.writeHead(status, { 'content-type': type }).end(body),
        (url) => expectJwksError(`${url}/jwks.json`, reason),
      )
    })

    it('reports a URL that does not answer within --timeout', async () => {
      await withServer(
        () => {},
        (url) => expectJwksError(`${url}/jwks.json`, 'no answer within 1 s', '--timeout', '1'),
      )
    })

    it('prints neither credentials nor query of the URL', async () => {
      await withServer(
        (_, response) => response.writeHead(404).end(),
        async (url) => {
          const withQuery = await inspect(
            await sign(),
            '--jwks',
            `${url}/jwks.json?access_token=qs-dummy-2`,
          )
          expect(withQuery.code).toBe(2)
          expect(withQuery.stderr).toBe(
            `error: cannot read a JWKS from ${url}/jwks.json?…: HTTP 404\n`,
          )

          const withCredentials = await inspect(
            await sign(),
            '--jwks',
            `${url.replace('http://', 'http://user:pw-dummy-1@')}/jwks.json`,
          )
          expect(withCredentials.code).toBe(2)
          expect(withCredentials.stderr).toBe(
            `error: cannot read a JWKS from ${url}/jwks.json: credentials in the URL are not supported\n`,
          )
        },
      )
    })

    it('reports a missing, non-JSON or non-JWKS file', async () => {
      await expectJwksError(join(tmpdir(), 'tessera-no-such-jwks.json'), 'no such file')
      await expectJwksError(await jwksFile('{"keys": ['), 'not JSON')
      await expectJwksError(await jwksFile({ kty: 'EC' }), 'not a JWKS (no "keys" array)')
    })

    it('reports a matching member that is not a public key, without printing it', async () => {
      const pair = await generateKeyPair('ES256', { extractable: true })
      const jwk = { ...(await exportJWK(pair.privateKey)), kid: 'k1', alg: 'ES256' }
      const token = await new SignJWT(goodClaims)
        .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
        .sign(pair.privateKey)

      const file = await jwksFile({ keys: [jwk] })
      const result = await inspect(token, '--jwks', file)

      expect(result.code).toBe(2)
      expect(result.stderr).toBe(
        `error: cannot read a JWKS from ${file}: the key with kid "k1" is not a usable public key\n`,
      )
      expect(result.stdout + result.stderr).not.toContain(jwk.d)
    })
  })

  describe('with a --jwks that has no key for the token', () => {
    it('names the kid that no key has, as a finding distinct from a bad signature', async () => {
      const file = await jwksFile(jwks)

      const { code, stdout } = await inspect(await sign(goodClaims, { kid: 'k9' }), '--jwks', file)

      expect(code).toBe(1)
      expect(stdout).toContain('NOT VERIFIED: no key in the JWKS has kid "k9"')
      expect(stdout).toMatch(/HIGH\s+signature-key-not-found\s+no key in the JWKS has kid "k9"/)
      expect(stdout).not.toContain('signature-invalid')
      expect(stdout).not.toContain('INVALID')
    })

    it('says when the key with the kid does not fit the alg', async () => {
      const ed = await generateKeyPair('EdDSA')
      const token = await new SignJWT(goodClaims)
        .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: 'at+jwt' })
        .sign(ed.privateKey)

      const { code, stdout } = await inspect(token, '--jwks', await jwksFile(jwks), '--json')

      expect(code).toBe(1)
      expect(JSON.parse(stdout).signature.check).toEqual({
        valid: false,
        problem: 'no-matching-key',
        reason: 'the JWKS key with kid "k1" is not usable for alg "EdDSA"',
      })
    })

    it('says when the JWKS is empty', async () => {
      const { stdout } = await inspect(await sign(), '--jwks', await jwksFile({ keys: [] }))

      expect(stdout).toMatch(/HIGH\s+signature-key-not-found\s+the JWKS holds no key/)
    })
  })

  it('tries every key that fits a token without kid', async () => {
    const second = { ...(await exportJWK(other.publicKey)), alg: 'ES256' }
    const file = await jwksFile({ keys: [second, { ...jwks.keys[0], kid: undefined }] })
    const noKid = (key: CryptoKey) =>
      new SignJWT(goodClaims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).sign(key)

    const good = await inspect(await noKid(privateKey), '--jwks', file, '--json')
    expect(JSON.parse(good.stdout).signature.check).toEqual({ valid: true })

    const third = await generateKeyPair('ES256')
    const bad = await inspect(await noKid(third.privateKey), '--jwks', file)
    expect(bad.code).toBe(1)
    expect(bad.stdout).toMatch(
      /HIGH\s+signature-invalid\s+signature does not verify with any of the 2 keys that fit/,
    )
  })

  it('fails with 2 on a malformed token without echoing it', async () => {
    const { code, stderr } = await inspect('not-a-token-at-all')
    expect(code).toBe(2)
    expect(stderr).toBe('error: token must have 3 dot-separated parts, found 1\n')
  })

  it.each(['', '\n', '  \r\n'])('fails with 2 on an empty stdin %j', async (input) => {
    let stdout = ''
    let stderr = ''
    const io = {
      stdout: (text: string) => (stdout += text),
      stderr: (text: string) => (stderr += text),
      readStdin: async () => input,
    }

    expect(await main(['node', 'tessera', 'inspect'], io)).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toBe('error: no token given (pass it as an argument or on stdin)\n')
  })

  it('reads the token from stdin when none is given', async () => {
    const token = await sign()
    let stdout = ''
    const io = {
      stdout: (text: string) => (stdout += text),
      stderr: () => {},
      readStdin: async () => `${token}\n`,
    }
    expect(await main(['node', 'tessera', 'inspect', '--json'], io)).toBe(0)
    expect(JSON.parse(stdout).claims.sub).toBe('user-1')
  })
})
