import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeySet, loadKeySet, saveKeySet } from '@tessera/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { main } from './main.js'

let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-cli-'))
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Runs the CLI in-process, capturing what it writes. */
async function tessera(...args: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await main(['node', 'tessera', ...args], {
    stdout: (text) => {
      stdout += text
    },
    stderr: (text) => {
      stderr += text
    },
  })
  return { code, stdout, stderr }
}

function expectUsageError(
  result: { code: number; stdout: string; stderr: string },
  reason: RegExp,
) {
  expect(result.code).toBe(2)
  expect(result.stdout).toBe('')
  expect(result.stderr).toMatch(reason)
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1)
}

describe('main', () => {
  it('prints the version', async () => {
    const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'))

    const result = await tessera('--version')

    expect(result).toEqual({ code: 0, stdout: `${manifest.version}\n`, stderr: '' })
  })

  it('describes every command group in the top-level help', async () => {
    const result = await tessera('--help')

    const description = result.stdout.split('\n').find((line) => line.startsWith('Tessera'))
    expect(description).toMatch(/key sets/)
    expect(description).toMatch(/inspect tokens/)
    expect(description).toMatch(/scan endpoints/)
  })

  it.each([[], ['keys'], ['keys', 'generate'], ['keys', 'rotate'], ['keys', 'jwks']])(
    'prints help for %j --help',
    async (...path) => {
      const result = await tessera(...path, '--help')

      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(/^Usage: tessera/)
      expect(result.stderr).toBe('')
    },
  )

  it.each([
    [
      ['keys', 'generate'],
      ['--alg', '--out'],
      ['--modulus-length', '--force'],
    ],
    [['keys', 'rotate'], ['--dir'], ['--retain-seconds', '--alg', '--modulus-length']],
    [['keys', 'jwks'], ['--dir'], []],
    [['scan'], ['--url', '--token'], ['--jwks', '--method', '--json']],
  ])('marks the required options of %j in its help', async (path, required, optional) => {
    const { stdout } = await tessera(...path, '--help')
    const line = (flag: string) => stdout.split('\n').find((text) => text.includes(`  ${flag} `))
    for (const flag of required) expect(line(flag)).toMatch(/^\s+--[\w-]+ <[\w-]+>\s+required: /)
    for (const flag of optional) expect(line(flag)).not.toMatch(/required/)
  })

  it.each([
    [[], /missing command; see 'tessera --help'/],
    [['keys'], /missing command; see 'tessera keys --help'/],
    [['bogus'], /unknown command 'bogus'/],
    [['keys', 'bogus'], /unknown command 'bogus'/],
    [['keys', 'generate', '--alg', 'HS256', '--out', 'x'], /'HS256' is invalid/],
    [['keys', 'generate', '--alg', 'none', '--out', 'x'], /'none' is invalid/],
    [['keys', 'generate', '--out', 'x'], /required option '--alg <alg>'/],
    [['keys', 'generate', '--alg', 'ES256'], /required option '--out <dir>'/],
    [['keys', 'generate', '--alg', 'RS256', '--out', 'x', '--modulus-length', '1024'], /2048/],
    [['keys', 'generate', '--alg', 'ES256', '--out', 'x', '--frce'], /unknown option '--frce'/],
    [['keys', 'rotate'], /required option '--dir <dir>'/],
    [['keys', 'rotate', '--dir', 'x', '--retain-seconds', 'soon'], /'soon' is invalid/],
    [['keys', 'rotate', '--dir', 'x', '--retain-seconds', '-5'], /invalid/],
    [['keys', 'rotate', '--dir', 'x', '--alg', 'HS256'], /'HS256' is invalid/],
    [['keys', 'jwks'], /required option '--dir <dir>'/],
    [['keys', 'jwks', '--dir', 'x', 'extra'], /too many arguments|unknown command/],
  ])('exits 2 with a one-line reason for %j', async (args, reason) => {
    expectUsageError(await tessera(...args), reason)
  })
})

describe('tessera keys generate', () => {
  it.each(['ES256', 'RS256', 'EdDSA'] as const)(
    'writes a %s key set with an active and a next key, mode 0600, and prints no key',
    async (alg) => {
      const out = join(dir, 'keys')

      const result = await tessera('keys', 'generate', '--alg', alg, '--out', out)

      expect(result.code).toBe(0)
      expect(result.stderr).toBe('')
      const file = join(out, 'keys.json')
      expect((await stat(file)).mode & 0o777).toBe(0o600)
      expect((await stat(out)).mode & 0o777).toBe(0o700)
      const set = await loadKeySet(file)
      expect(set.keys.map((key) => [key.state, key.alg])).toEqual([
        ['active', alg],
        ['next', alg],
      ])
      for (const key of set.keys) expect(result.stdout).toContain(key.kid)
      const document = JSON.parse(await readFile(file, 'utf8'))
      for (const jwk of document.keys) expect(result.stdout).not.toContain(jwk.d)
    },
  )

  it('refuses to replace an existing key set without --force', async () => {
    await tessera('keys', 'generate', '--alg', 'ES256', '--out', dir)
    const before = await readFile(join(dir, 'keys.json'), 'utf8')

    const refused = await tessera('keys', 'generate', '--alg', 'EdDSA', '--out', dir)

    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/already exists; pass --force/)
    expect(await readFile(join(dir, 'keys.json'), 'utf8')).toBe(before)

    const forced = await tessera('keys', 'generate', '--alg', 'EdDSA', '--out', dir, '--force')
    expect(forced.code).toBe(0)
    expect((await loadKeySet(join(dir, 'keys.json'))).keys[0]!.alg).toBe('EdDSA')
  })

  it.each(['ES256', 'EdDSA'])('refuses --modulus-length with --alg %s', async (alg) => {
    const out = join(dir, 'keys')

    const result = await tessera(
      'keys',
      'generate',
      '--alg',
      alg,
      '--out',
      out,
      '--modulus-length',
      '4096',
    )

    expectUsageError(result, new RegExp(`--modulus-length applies only to RS256; --alg is ${alg}`))
    await expect(stat(out)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('honours --modulus-length for RS256', async () => {
    await tessera('keys', 'generate', '--alg', 'RS256', '--out', dir, '--modulus-length', '3072')

    const set = await loadKeySet(join(dir, 'keys.json'))

    expect(set.keys[0]!.publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072)
  })
})

describe('tessera keys rotate', () => {
  it('moves next to active and active to retiring', async () => {
    await tessera('keys', 'generate', '--alg', 'ES256', '--out', dir)
    const file = join(dir, 'keys.json')
    const before = await loadKeySet(file)

    const result = await tessera('keys', 'rotate', '--dir', dir)

    expect(result.code).toBe(0)
    const after = await loadKeySet(file)
    const kidOf = (set: typeof after, state: string) =>
      set.keys.find((key) => key.state === state)?.kid
    expect(kidOf(after, 'active')).toBe(kidOf(before, 'next'))
    expect(kidOf(after, 'retiring')).toBe(kidOf(before, 'active'))
    expect(kidOf(after, 'next')).not.toBe(kidOf(before, 'next'))
    expect((await stat(file)).mode & 0o777).toBe(0o600)
  })

  it('drops a key retiring for at least --retain-seconds', async () => {
    await tessera('keys', 'generate', '--alg', 'EdDSA', '--out', dir)
    const first = (await loadKeySet(join(dir, 'keys.json'))).keys[0]!.kid

    await tessera('keys', 'rotate', '--dir', dir, '--retain-seconds', '3600')
    await tessera('keys', 'rotate', '--dir', dir, '--retain-seconds', '3600')
    const kept = await loadKeySet(join(dir, 'keys.json'))
    expect(kept.keys.some((key) => key.kid === first)).toBe(true)

    const result = await tessera('keys', 'rotate', '--dir', dir, '--retain-seconds', '0')
    const dropped = await loadKeySet(join(dir, 'keys.json'))
    expect(dropped.keys.some((key) => key.kid === first)).toBe(false)
    expect(dropped.keys.filter((key) => key.state === 'retiring')).toHaveLength(1)
    expect(result.stdout).toMatch(/2 retired/)
  })

  it('generates the fresh next key with --alg', async () => {
    await tessera('keys', 'generate', '--alg', 'ES256', '--out', dir)

    await tessera('keys', 'rotate', '--dir', dir, '--alg', 'EdDSA')

    const set = await loadKeySet(join(dir, 'keys.json'))
    expect(set.keys.find((key) => key.state === 'next')?.alg).toBe('EdDSA')
  })
})

describe('tessera keys rotate --modulus-length', () => {
  const modulusOf = async (state: string) =>
    (await loadKeySet(join(dir, 'keys.json'))).keys.find((key) => key.state === state)?.publicKey
      .asymmetricKeyDetails?.modulusLength

  it('refuses it with a non-RSA --alg before reading the key set', async () => {
    const result = await tessera(
      'keys',
      'rotate',
      '--dir',
      join(dir, 'missing'),
      '--alg',
      'ES256',
      '--modulus-length',
      '3072',
    )

    expectUsageError(result, /--modulus-length applies only to RS256; --alg is ES256/)
  })

  it('refuses it when the fresh next key would keep a non-RSA algorithm', async () => {
    await tessera('keys', 'generate', '--alg', 'ES256', '--out', dir)
    const before = await readFile(join(dir, 'keys.json'), 'utf8')

    const result = await tessera('keys', 'rotate', '--dir', dir, '--modulus-length', '3072')

    expectUsageError(result, /applies only to RS256; the fresh next key would be ES256/)
    expect(await readFile(join(dir, 'keys.json'), 'utf8')).toBe(before)
  })

  it('sizes a fresh RS256 next key', async () => {
    await tessera('keys', 'generate', '--alg', 'ES256', '--out', dir)

    const result = await tessera(
      'keys',
      'rotate',
      '--dir',
      dir,
      '--alg',
      'RS256',
      '--modulus-length',
      '3072',
    )

    expect(result.code).toBe(0)
    expect(await modulusOf('next')).toBe(3072)
  })

  it('keeps the modulus length of the current RS256 next key by default', async () => {
    await tessera('keys', 'generate', '--alg', 'RS256', '--out', dir, '--modulus-length', '3072')

    expect((await tessera('keys', 'rotate', '--dir', dir)).code).toBe(0)

    expect(await modulusOf('active')).toBe(3072)
    expect(await modulusOf('next')).toBe(3072)
  })
})

describe('tessera keys jwks', () => {
  it('prints the public JWKS of next, active and retiring keys without private members', async () => {
    await tessera('keys', 'generate', '--alg', 'RS256', '--out', dir)
    await tessera('keys', 'rotate', '--dir', dir)
    const set = await loadKeySet(join(dir, 'keys.json'))

    const result = await tessera('keys', 'jwks', '--dir', dir)

    expect(result.code).toBe(0)
    const jwks = JSON.parse(result.stdout)
    expect(jwks.keys.map((jwk: { kid: string }) => jwk.kid)).toEqual(set.keys.map((key) => key.kid))
    for (const jwk of jwks.keys) {
      expect(jwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' })
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'])
        expect(jwk).not.toHaveProperty(member)
    }
  })
})

describe('bad key files', () => {
  async function expectKeyFileError(content: string | null, reason: RegExp, mode = 0o600) {
    if (content !== null) await writeFile(join(dir, 'keys.json'), content, { mode })

    for (const args of [
      ['keys', 'jwks', '--dir', dir],
      ['keys', 'rotate', '--dir', dir],
    ]) {
      const result = await tessera(...args)

      expect(result.code).toBe(1)
      expect(result.stdout).toBe('')
      expect(result.stderr).toMatch(reason)
      expect(result.stderr).toContain(join(dir, 'keys.json'))
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1)
      expect(result.stderr).not.toMatch(/\bat .+:\d+:\d+/)
    }
  }

  it('reports a missing key file', async () => {
    await expectKeyFileError(null, /does not exist/)
  })

  it('reports an empty key file', async () => {
    await expectKeyFileError('', /empty/)
  })

  it('reports a truncated key file without printing key material', async () => {
    await saveKeySet(await generateKeySet('ES256'), join(dir, 'keys.json'))
    const text = await readFile(join(dir, 'keys.json'), 'utf8')
    const d = JSON.parse(text).keys[0].d as string

    await expectKeyFileError(text.slice(0, 200), /not valid JSON/)
    const result = await tessera('keys', 'jwks', '--dir', dir)
    expect(result.stderr).not.toContain(d.slice(0, 10))
  })

  it('reports a key file of the wrong type', async () => {
    await expectKeyFileError('[1, 2]', /not a JSON object/)
    await expectKeyFileError(
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
      /PEM/,
    )
    await expectKeyFileError(JSON.stringify({ keys: [{ kty: 'oct', k: 'AAAA' }] }), /symmetric/)
  })

  it('reports a key file readable by others', async () => {
    await saveKeySet(await generateKeySet('ES256'), join(dir, 'keys.json'))
    const text = await readFile(join(dir, 'keys.json'), 'utf8')
    await rm(join(dir, 'keys.json'))

    await expectKeyFileError(text, /chmod 600/, 0o644)
  })
})
