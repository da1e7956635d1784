import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTessera, loadKeySet } from '@tessera/core'
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { main } from './main.js'

const issuer = 'https://auth.example.com'
const audience = 'https://api.example.com'

let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-e2e-'))
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function printedJwks(): Promise<JSONWebKeySet> {
  let stdout = ''
  const code = await main(['node', 'tessera', 'keys', 'jwks', '--dir', dir], {
    stdout: (text) => {
      stdout += text
    },
    stderr: () => {},
  })
  expect(code).toBe(0)
  return JSON.parse(stdout)
}

async function run(...args: string[]) {
  const code = await main(['node', 'tessera', ...args], { stdout: () => {}, stderr: () => {} })
  expect(code).toBe(0)
}

/** Issue 2, "done when": the JWKS the CLI prints verifies a token that generateAccessToken signed. */
describe('tessera keys jwks', () => {
  it.each(['ES256', 'RS256', 'EdDSA'] as const)(
    'prints a JWKS that verifies a %s access token, before and after rotation',
    async (alg) => {
      await run('keys', 'generate', '--alg', alg, '--out', dir)
      const beforeRotation = createTessera({
        keys: await loadKeySet(join(dir, 'keys.json')),
        issuer,
        audience,
      })
      const oldToken = await beforeRotation.generateAccessToken('u1')
      const jwks = createLocalJWKSet(await printedJwks())

      const { payload, protectedHeader } = await jwtVerify(oldToken, jwks, {
        issuer,
        audience,
        algorithms: [alg],
        typ: 'at+jwt',
      })
      expect(payload.sub).toBe('u1')
      expect(protectedHeader.alg).toBe(alg)

      await run('keys', 'rotate', '--dir', dir)
      const afterRotation = createTessera({
        keys: await loadKeySet(join(dir, 'keys.json')),
        issuer,
        audience,
      })
      const newToken = await afterRotation.generateAccessToken('u1')
      expect(decodeProtectedHeader(newToken).kid).not.toBe(decodeProtectedHeader(oldToken).kid)
      const rotatedJwks = createLocalJWKSet(await printedJwks())

      // The retiring key still verifies the old token; the promoted key verifies the new one.
      await expect(jwtVerify(oldToken, rotatedJwks, { issuer, audience })).resolves.toBeDefined()
      await expect(jwtVerify(newToken, rotatedJwks, { issuer, audience })).resolves.toBeDefined()
      // The key that signs after rotation was already in the JWKS printed before it.
      await expect(jwtVerify(newToken, jwks, { issuer, audience })).resolves.toBeDefined()
    },
  )

  it('prints a JWKS that does not verify a token signed by another key set', async () => {
    await run('keys', 'generate', '--alg', 'ES256', '--out', join(dir, 'a'))
    await run('keys', 'generate', '--alg', 'ES256', '--out', join(dir, 'b'))
    const other = createTessera({
      keys: await loadKeySet(join(dir, 'b', 'keys.json')),
      issuer,
      audience,
    })
    const token = await other.generateAccessToken('u1')
    dir = join(dir, 'a')
    const jwks = createLocalJWKSet(await printedJwks())
    dir = join(dir, '..')

    await expect(jwtVerify(token, jwks, { issuer, audience })).rejects.toMatchObject({
      code: 'ERR_JWKS_NO_MATCHING_KEY',
    })
  })
})
