import { generateKeyPairSync } from 'node:crypto'
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KeySetError } from '../errors.js'
import { generateKey } from './generate.js'
import { exportKey } from './import-export.js'
import { toJwks } from './jwks.js'
import { loadKeySet, saveKeySet } from './key-file.js'
import { generateKeySet, rotateKeySet } from './key-set.js'

let dir: string
let file: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-keys-'))
  file = join(dir, 'keys.json')
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function writeKeyFile(content: string) {
  await writeFile(file, content, { mode: 0o600 })
}

async function loadError(path = file): Promise<KeySetError> {
  const error = await loadKeySet(path).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(KeySetError)
  const keySetError = error as KeySetError
  expect(keySetError.code).toBe('ERR_KEY_FILE_INVALID')
  expect(keySetError.message).toContain(path)
  expect(keySetError.message).not.toContain('\n')
  return keySetError
}

describe('saveKeySet', () => {
  it('writes the file with mode 0600', async () => {
    await saveKeySet(await generateKeySet('ES256'), file)

    expect((await stat(file)).mode & 0o777).toBe(0o600)
  })

  it('creates a missing directory with mode 0700', async () => {
    const nested = join(dir, 'a', 'b', 'keys.json')

    await saveKeySet(await generateKeySet('EdDSA'), nested)

    expect((await stat(join(dir, 'a', 'b'))).mode & 0o777).toBe(0o700)
    expect((await stat(nested)).mode & 0o777).toBe(0o600)
  })

  it('replaces an existing file atomically and leaves no temporary file', async () => {
    await saveKeySet(await generateKeySet('ES256'), file)
    await chmod(file, 0o600)
    const second = await generateKeySet('ES256')

    await saveKeySet(second, file)

    expect(await readdir(dir)).toEqual(['keys.json'])
    expect(toJwks(await loadKeySet(file))).toEqual(toJwks(second))
  })

  it('writes a private JWK set with state, alg and dates for each key', async () => {
    const now = new Date('2030-01-01T00:00:00Z')
    await saveKeySet(await generateKeySet('ES256', { now }), file)

    const document = JSON.parse(await readFile(file, 'utf8'))

    expect(document.keys).toHaveLength(2)
    for (const jwk of document.keys) {
      expect(jwk).toMatchObject({ kty: 'EC', alg: 'ES256', use: 'sig', createdAt: now.toJSON() })
      expect(jwk.d).toEqual(expect.any(String))
      expect(['active', 'next']).toContain(jwk.state)
    }
  })

  it('refuses a set that cannot sign', async () => {
    const next = await generateKey('ES256', { state: 'next' })

    const error = await saveKeySet({ keys: [next] }, file).catch((e: unknown) => e)

    expect((error as KeySetError).code).toBe('ERR_KEY_SET_INVALID')
  })
})

describe('loadKeySet', () => {
  it.each(['ES256', 'RS256', 'EdDSA'] as const)(
    'loads what saveKeySet wrote for %s, states and dates included',
    async (alg) => {
      const t0 = new Date('2030-01-01T00:00:00Z')
      const set = await rotateKeySet(await generateKeySet(alg, { now: t0 }), {
        now: new Date('2030-01-02T00:00:00Z'),
      })
      await saveKeySet(set, file)

      const loaded = await loadKeySet(file)

      expect(
        loaded.keys.map((k) => [k.kid, k.alg, k.state, k.createdAt, k.stateChangedAt]),
      ).toEqual(set.keys.map((k) => [k.kid, k.alg, k.state, k.createdAt, k.stateChangedAt]))
      for (const [index, key] of loaded.keys.entries()) {
        expect(key.privateKey?.equals(set.keys[index]!.privateKey!)).toBe(true)
      }
    },
  )

  it('fails on a missing file', async () => {
    expect((await loadError(join(dir, 'absent.json'))).message).toMatch(/does not exist/)
  })

  it('fails on a directory', async () => {
    expect((await loadError(dir)).message).toMatch(/not a regular file/)
  })

  it('fails on an empty file', async () => {
    await writeKeyFile('')

    expect((await loadError()).message).toMatch(/empty/)
  })

  it('fails on a truncated file without echoing its contents', async () => {
    await saveKeySet(await generateKeySet('ES256'), file)
    const text = await readFile(file, 'utf8')
    await writeKeyFile(text.slice(0, text.length / 2))

    const error = await loadError()

    expect(error.message).toMatch(/not valid JSON/)
    const d = JSON.parse(text).keys[0].d as string
    expect(error.message).not.toContain(d)
    expect(error.message).not.toContain(d.slice(0, 8))
  })

  it('fails on a corrupt key without echoing it', async () => {
    await saveKeySet(await generateKeySet('ES256'), file)
    const document = JSON.parse(await readFile(file, 'utf8'))
    document.keys[0].x = 'AAAA'
    await writeKeyFile(JSON.stringify(document))

    const error = await loadError()

    expect(error.message).toMatch(/key 0/)
    expect(error.message).not.toContain(document.keys[0].d)
  })

  it('fails on a PEM file', async () => {
    const key = await generateKey('ES256')
    await writeKeyFile(exportKey(key, 'pem', 'private'))

    const error = await loadError()

    expect(error.message).toMatch(/PEM/)
    expect(error.message).not.toMatch(/BEGIN/)
  })

  it('fails on a JSON array', async () => {
    await writeKeyFile('[]')

    expect((await loadError()).message).toMatch(/not a JSON object/)
  })

  it('fails on a JSON document without keys', async () => {
    await writeKeyFile('{"keys": []}')

    expect((await loadError()).message).toMatch(/empty/)
  })

  it('fails on a JWKS holding a symmetric (oct) key', async () => {
    await writeKeyFile(JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0LXNlY3JldA' }] }))

    const error = await loadError()

    expect(error.message).toMatch(/symmetric/)
    expect(error.message).not.toContain('c2VjcmV0LXNlY3JldA')
  })

  it('fails on a public JWKS', async () => {
    await writeKeyFile(JSON.stringify(toJwks(await generateKeySet('ES256'))))

    expect((await loadError()).message).toMatch(/no private part/)
  })

  it('fails on a key whose kid is not its thumbprint', async () => {
    await saveKeySet(await generateKeySet('ES256'), file)
    const document = JSON.parse(await readFile(file, 'utf8'))
    document.keys[1].kid = 'chosen-by-attacker'
    await writeKeyFile(JSON.stringify(document))

    expect((await loadError()).message).toMatch(/thumbprint/)
  })

  it.each([
    ['ES256', ['x', 'y']],
    ['RS256', ['n']],
    ['EdDSA', ['x']],
  ] as const)(
    'fails on a %s key whose public members belong to another key, kid dropped',
    async (alg, members) => {
      await saveKeySet(await generateKeySet(alg), file)
      const document = JSON.parse(await readFile(file, 'utf8'))
      const other = exportKey(await generateKey(alg), 'jwk', 'private')
      const victim = document.keys.find((key: { state: string }) => key.state === 'active')
      for (const member of members) victim[member] = other[member]
      delete victim.kid
      await writeKeyFile(JSON.stringify(document))

      const error = await loadError()

      expect(error.message).toMatch(/key \d public members do not match its private part/)
      expect(error.message).not.toContain(victim.d)
    },
  )

  it('fails on an EC key whose x and y are swapped', async () => {
    await saveKeySet(await generateKeySet('ES256'), file)
    const document = JSON.parse(await readFile(file, 'utf8'))
    const [key] = document.keys
    ;[key.x, key.y] = [key.y, key.x]
    delete key.kid
    await writeKeyFile(JSON.stringify(document))

    // The swapped point is off the curve: refused while parsing, before the public-part check.
    expect((await loadError()).message).toMatch(/key 0/)
  })

  it('fails on a key whose alg does not fit it', async () => {
    await saveKeySet(await generateKeySet('ES256'), file)
    const document = JSON.parse(await readFile(file, 'utf8'))
    document.keys[0].alg = 'RS256'
    await writeKeyFile(JSON.stringify(document))

    expect((await loadError()).message).toMatch(/does not match algorithm RS256/)
  })

  it('fails on an RSA key under 2048 bits', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey
    const jwk = small.export({ format: 'jwk' })
    const dates = { createdAt: new Date().toJSON(), stateChangedAt: new Date().toJSON() }
    await writeKeyFile(
      JSON.stringify({ keys: [{ ...jwk, alg: 'RS256', state: 'active', ...dates }] }),
    )

    expect((await loadError()).message).toMatch(/1024 bits refused/)
  })

  it('fails on a missing state or invalid dates', async () => {
    await saveKeySet(await generateKeySet('ES256'), file)
    const document = JSON.parse(await readFile(file, 'utf8'))

    await writeKeyFile(JSON.stringify({ keys: [{ ...document.keys[0], state: 'signing' }] }))
    expect((await loadError()).message).toMatch(/state/)
    await writeKeyFile(JSON.stringify({ keys: [{ ...document.keys[0], createdAt: 'yesterday' }] }))
    expect((await loadError()).message).toMatch(/dates/)
  })

  it('fails on a key set without an active key', async () => {
    await saveKeySet(await generateKeySet('ES256'), file)
    const document = JSON.parse(await readFile(file, 'utf8'))
    document.keys = document.keys.filter((key: { state: string }) => key.state !== 'active')
    await writeKeyFile(JSON.stringify(document))

    expect((await loadError()).message).toMatch(/no active key/)
  })

  it.each([0o640, 0o604, 0o644])('fails on a file with mode %o', async (mode) => {
    await saveKeySet(await generateKeySet('ES256'), file)
    await chmod(file, mode)

    expect((await loadError()).message).toMatch(/chmod 600/)
  })
})
