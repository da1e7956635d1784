import { randomBytes } from 'node:crypto'
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { checkSignature, createSignature } from '../access-token/signature.js'
import { KeySetError } from '../errors.js'
import type { KeySet, KeyState, ManagedKey } from '../types.js'
import { exportKey, importKey } from './import-export.js'
import { publicJwkOf } from './jwks.js'
import { assertKeySet } from './key-set.js'
import { isSigningAlgorithm } from './key-type.js'

const STATES: readonly KeyState[] = ['next', 'active', 'retiring', 'retired']

/** Owner-only: the key file holds private keys. */
const FILE_MODE = 0o600
const DIRECTORY_MODE = 0o700

function fileError(file: string, reason: string): KeySetError {
  // One line: the file name is the only input echoed, and never the file's contents.
  const name = JSON.stringify(file)
  return new KeySetError(`key file ${name} is invalid: ${reason}`, 'ERR_KEY_FILE_INVALID')
}

/**
 * Writes a key set to `file` as a private JWK set (JSON): each key's private JWK plus its
 * `state`, `alg`, `createdAt` and `stateChangedAt`. The write is atomic (temporary file in
 * the same directory, then rename) and the file has mode 0600; a missing directory is
 * created with mode 0700. Retired keys are not written.
 *
 * @example
 * ```ts
 * import { generateKeySet, saveKeySet } from '@tessera/core'
 *
 * await saveKeySet(await generateKeySet('EdDSA'), './keys/keys.json')
 * ```
 */
export async function saveKeySet(set: KeySet, file: string): Promise<void> {
  assertKeySet(set)
  const keys = set.keys
    .filter((key) => key.state !== 'retired')
    .map((key) => ({
      ...exportKey(key, 'jwk', 'private'),
      state: key.state,
      createdAt: key.createdAt.toISOString(),
      stateChangedAt: key.stateChangedAt.toISOString(),
    }))
  const document = `${JSON.stringify({ keys }, null, 2)}\n`

  const directory = dirname(file)
  await mkdir(directory, { recursive: true, mode: DIRECTORY_MODE })
  const temporary = join(directory, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temporary, 'wx', FILE_MODE)
  try {
    await handle.chmod(FILE_MODE)
    await handle.writeFile(document, 'utf8')
    await handle.sync()
  } catch (error) {
    await handle.close()
    await rm(temporary, { force: true })
    throw error
  }
  await handle.close()
  try {
    await rename(temporary, file)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
  // rename keeps the temporary file's mode; set it again in case a filesystem did not.
  await chmod(file, FILE_MODE)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function parseDate(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? undefined : date
}

async function readKeyFile(file: string): Promise<string> {
  let info: Awaited<ReturnType<typeof stat>>
  try {
    info = await stat(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw fileError(file, code === 'ENOENT' ? 'file does not exist' : `cannot read (${code})`)
  }
  if (!info.isFile()) throw fileError(file, 'not a regular file')
  // Private keys readable by others are compromised keys: refuse rather than use them.
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, '0')
    throw fileError(file, `mode ${mode} lets group or others access it; run chmod 600`)
  }
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw fileError(file, `cannot read (${(error as NodeJS.ErrnoException).code})`)
  }
}

function parseDocument(file: string, text: string): unknown[] {
  if (text.trim() === '') throw fileError(file, 'file is empty')
  if (text.trimStart().startsWith('-----BEGIN')) {
    throw fileError(file, 'file is PEM; expected a JSON key set (import PEM with importKey)')
  }
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    throw fileError(file, 'not valid JSON (truncated or corrupt)')
  }
  if (!isRecord(document)) throw fileError(file, 'not a JSON object with a keys array')
  if (!Array.isArray(document.keys)) throw fileError(file, 'no keys array')
  if (document.keys.length === 0) throw fileError(file, 'keys array is empty')
  return document.keys
}

async function parseKey(file: string, entry: unknown, index: number): Promise<ManagedKey> {
  const where = `key ${index}`
  if (!isRecord(entry)) throw fileError(file, `${where} is not an object`)
  if (entry.kty === 'oct' || 'k' in entry) {
    throw fileError(file, `${where} is a symmetric (oct) key`)
  }
  if (!('d' in entry)) throw fileError(file, `${where} has no private part`)
  if (!STATES.includes(entry.state as KeyState))
    throw fileError(file, `${where} has no valid state`)
  if (!isSigningAlgorithm(entry.alg)) throw fileError(file, `${where} has no supported alg`)
  const createdAt = parseDate(entry.createdAt)
  const stateChangedAt = parseDate(entry.stateChangedAt)
  if (!createdAt || !stateChangedAt) throw fileError(file, `${where} has invalid dates`)

  const { state, createdAt: _c, stateChangedAt: _s, kid, ...jwk } = entry
  let key: ManagedKey
  try {
    key = await importKey(jwk, { alg: entry.alg, state: state as KeyState })
  } catch (error) {
    if (error instanceof KeySetError) throw fileError(file, `${where}: ${error.message}`)
    throw error
  }
  if (kid !== undefined && kid !== key.kid) {
    throw fileError(file, `${where} kid does not match its RFC 7638 thumbprint`)
  }
  if (!publicPartMatches(key, jwk)) {
    throw fileError(file, `${where} public members do not match its private part`)
  }
  return { ...key, createdAt, stateChangedAt }
}

const PROBE = Buffer.from('tessera/key-file/probe/v1')

// A base64url integer member as hex without leading zeros, so that a file written by another
// tool with a zero-padded `n` still compares equal; absent stays absent.
function integerOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  return Buffer.from(value, 'base64url')
    .toString('hex')
    .replace(/^(00)+/, '')
}

/**
 * Whether the public members written in the file (`x`/`y`, `n`/`e`) belong to the private part.
 * Node takes an EC or RSA public key from the file's members as they are, and derives an
 * Ed25519 one from `d` while ignoring `x`: a tampered or corrupt member would otherwise load,
 * get a new thumbprint and be published in the JWKS while tokens are signed with another key.
 * So both checks: the members Node reports must equal the file's, and a probe signed with the
 * private key must verify with the public key.
 */
function publicPartMatches(key: ManagedKey, fileJwk: Record<string, unknown>): boolean {
  const derived: Record<string, unknown> = { ...publicJwkOf(key) }
  if (derived.crv !== fileJwk.crv) return false
  for (const member of ['x', 'y', 'n', 'e']) {
    if (integerOf(derived[member]) !== integerOf(fileJwk[member])) return false
  }
  try {
    // importKey of a private JWK always yields a private key.
    checkSignature(key, PROBE, createSignature(key.alg, key.privateKey!, PROBE))
    return true
  } catch {
    return false
  }
}

/**
 * Reads a key set written by {@link saveKeySet}. Fails with a {@link KeySetError} of code
 * `ERR_KEY_FILE_INVALID` when the file is missing, empty, truncated or corrupt, of the wrong
 * type (PEM, a JSON array, a symmetric key, a public-only key), a key whose public members
 * do not belong to its private part, an invalid key set, or readable by group or others. The
 * message is one line naming the file and the reason; it never contains key material.
 *
 * @example
 * ```ts
 * import { createTessera, loadKeySet } from '@tessera/core'
 *
 * const keys = await loadKeySet('./keys/keys.json')
 * const tessera = createTessera({ keys, issuer, audience })
 * ```
 */
export async function loadKeySet(file: string): Promise<KeySet> {
  const entries = parseDocument(file, await readKeyFile(file))
  const keys: ManagedKey[] = []
  for (const [index, entry] of entries.entries()) keys.push(await parseKey(file, entry, index))
  const set: KeySet = { keys }
  try {
    assertKeySet(set)
  } catch (error) {
    if (error instanceof KeySetError) throw fileError(file, error.message)
    throw error
  }
  return set
}
