import { access } from 'node:fs/promises'
import { join } from 'node:path'
import {
  DEFAULT_RETAIN_SECONDS,
  generateKeySet,
  type KeySet,
  loadKeySet,
  rotateKeySet,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
  saveKeySet,
  toJwks,
} from '@tessera/core'
import { type Command, InvalidArgumentError, Option } from 'commander'
import { CliError, type CliIo } from '../io.js'
import { requireSubcommand } from '../require-subcommand.js'

/** Name of the key set file inside the key directory. */
export const KEY_FILE_NAME = 'keys.json'

function integer(minimum: number) {
  return (value: string) => {
    if (!/^\d+$/.test(value) || Number(value) < minimum) {
      throw new InvalidArgumentError(`expected an integer of at least ${minimum}`)
    }
    return Number(value)
  }
}

function algOption(description: string) {
  return new Option('--alg <alg>', description).choices(SIGNING_ALGORITHMS)
}

/** `--modulus-length` sizes RSA keys only; with another algorithm it would be silently ignored. */
function assertModulusFits(modulusLength: number | undefined, alg: SigningAlgorithm, why: string) {
  if (modulusLength !== undefined && alg !== 'RS256')
    throw new CliError(`--modulus-length applies only to RS256; ${why}`, 2)
}

async function exists(file: string) {
  try {
    await access(file)
    return true
  } catch {
    return false
  }
}

/** Public summary of a key set: states and kids only, never key material. */
function summary(set: KeySet): string {
  return set.keys
    .map((key) => `  ${key.state.padEnd(8)} ${key.alg.padEnd(5)} ${key.kid}\n`)
    .join('')
}

interface RotateOptions {
  dir: string
  retainSeconds: number
  alg?: SigningAlgorithm
  modulusLength?: number
}

/** Registers `tessera keys generate|rotate|jwks`. */
export function registerKeysCommand(program: Command, io: CliIo): Command {
  const keys = program.command('keys').description('generate, rotate and publish a key set')
  requireSubcommand(keys)

  keys
    .command('generate')
    .description(`generate a key set (an active and a next key) into DIR/${KEY_FILE_NAME}`)
    .addOption(algOption('signing algorithm').makeOptionMandatory())
    .requiredOption('--out <dir>', 'key directory (created with mode 0700 if missing)')
    .option('--modulus-length <bits>', 'RSA modulus length for RS256', integer(2048))
    .option('--force', 'replace an existing key set', false)
    .action(
      async (options: {
        alg: SigningAlgorithm
        out: string
        modulusLength?: number
        force: boolean
      }) => {
        assertModulusFits(options.modulusLength, options.alg, `--alg is ${options.alg}`)
        const file = join(options.out, KEY_FILE_NAME)
        if (!options.force && (await exists(file))) {
          throw new CliError(`key set ${file} already exists; pass --force to replace it`)
        }
        const set = await generateKeySet(options.alg, {
          ...(options.modulusLength ? { modulusLength: options.modulusLength } : {}),
        })
        await saveKeySet(set, file)
        io.stdout(`wrote ${options.alg} key set to ${file}\n${summary(set)}`)
      },
    )

  keys
    .command('rotate')
    .description('one rotation step: next -> active -> retiring -> retired (dropped)')
    .requiredOption('--dir <dir>', `key directory holding ${KEY_FILE_NAME}`)
    .option(
      '--retain-seconds <seconds>',
      'how long a key stays retiring: access token TTL + clock tolerance',
      integer(0),
      DEFAULT_RETAIN_SECONDS,
    )
    .addOption(algOption('algorithm of the fresh next key (default: that of the current next key)'))
    .option(
      '--modulus-length <bits>',
      'RSA modulus length of a fresh RS256 next key ' +
        '(default: that of the current RSA keys, else 2048)',
      integer(2048),
    )
    .action(async (options: RotateOptions) => {
      if (options.alg)
        assertModulusFits(options.modulusLength, options.alg, `--alg is ${options.alg}`)
      const file = join(options.dir, KEY_FILE_NAME)
      const set = await loadKeySet(file)
      const next = set.keys.find((key) => key.state === 'next')
      const alg = options.alg ?? next?.alg
      if (alg && !options.alg)
        assertModulusFits(
          options.modulusLength,
          alg,
          `the fresh next key would be ${alg} like the current one (pass --alg RS256 to switch)`,
        )
      // Without --modulus-length, rotateKeySet keeps the size of the current RSA keys.
      const rotated = await rotateKeySet(set, {
        retainSeconds: options.retainSeconds,
        ...(options.alg ? { alg: options.alg } : {}),
        ...(options.modulusLength ? { modulusLength: options.modulusLength } : {}),
      })
      await saveKeySet(rotated, file)
      const dropped = set.keys.filter((key) => !rotated.keys.some((k) => k.kid === key.kid))
      io.stdout(`rotated ${file} (${dropped.length} retired)\n${summary(rotated)}`)
    })

  keys
    .command('jwks')
    .description('print the public JWKS (next, active and retiring keys) as JSON')
    .requiredOption('--dir <dir>', `key directory holding ${KEY_FILE_NAME}`)
    .action(async (options: { dir: string }) => {
      const set = await loadKeySet(join(options.dir, KEY_FILE_NAME))
      io.stdout(`${JSON.stringify(toJwks(set), null, 2)}\n`)
    })

  return keys
}
