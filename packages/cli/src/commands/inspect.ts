import { type Command, InvalidArgumentError } from 'commander'
import { decodeToken, TokenDecodeError } from '../inspect/decode.js'
import { type Finding, findTokenWeaknesses } from '../inspect/findings.js'
import { buildInspectReport, formatInspectReport } from '../inspect/report.js'
import {
  JwksUnavailableError,
  type SignatureCheck,
  verifySignature,
} from '../inspect/verify-signature.js'
import { CliError, readStdin, type StdinIo } from '../io.js'

/** The CLI's io, plus an optional stdin reader for tests. */
export type InspectIo = StdinIo

interface InspectOptions {
  jwks?: string
  maxLifetime: number
  maxBytes: number
  timeout: number
  json: boolean
}

const NO_TOKEN = 'no token given (pass it as an argument or on stdin)'

/** Parses a positive integer option value. */
export function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('expected a positive integer')
  return Number(value)
}

/**
 * Registers `tessera inspect [token]`: decodes a token without trusting it and lists its
 * weaknesses. Exit codes: 0 no high-severity finding, 1 a high-severity finding (such as a
 * signature that does not verify against `--jwks`, or no key there for the token), 2 bad
 * arguments, a malformed or missing token, or a `--jwks` that cannot be read or fetched.
 * The token and its signature are never printed.
 */
export function registerInspectCommand(program: Command, io: InspectIo): Command {
  return program
    .command('inspect')
    .description('decode a token without verifying it and list its weaknesses')
    .argument('[token]', 'the token; read from stdin when omitted or "-"')
    .option('--jwks <file-or-url>', 'also verify the signature against this JWKS')
    .option('--max-lifetime <seconds>', 'longest acceptable exp - iat', positiveInteger, 3600)
    .option('--max-bytes <bytes>', 'largest acceptable token', positiveInteger, 8192)
    .option('--timeout <seconds>', 'time limit for fetching a remote JWKS', positiveInteger, 5)
    .option('--json', 'print the report as JSON', false)
    .action(async (argument: string | undefined, options: InspectOptions) => {
      const token = argument && argument !== '-' ? argument : await readStdin(io, NO_TOKEN)
      if (token.trim() === '') throw new CliError(NO_TOKEN, 2)
      let decoded: ReturnType<typeof decodeToken>
      try {
        decoded = decodeToken(token)
      } catch (error) {
        if (error instanceof TokenDecodeError) throw new CliError(error.message, 2)
        throw error
      }

      const findings = findTokenWeaknesses(decoded, {
        maxLifetimeSeconds: options.maxLifetime,
        maxTokenBytes: options.maxBytes,
      })
      let check: SignatureCheck | null = null
      if (options.jwks) {
        check = await verifySignature(token, options.jwks, {
          timeoutMs: options.timeout * 1000,
        }).catch((error: unknown) => {
          // An unreadable JWKS says nothing about the token: a usage error, not a finding.
          if (error instanceof JwksUnavailableError) throw new CliError(error.message, 2)
          throw error
        })
        if (!check.valid) findings.push(signatureFinding(check))
      }

      const report = buildInspectReport(decoded, findings, check)
      io.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatInspectReport(report))
      const high = report.findings.filter((finding) => finding.severity === 'high').length
      if (high > 0) throw new CliError(`${high} high-severity finding${high > 1 ? 's' : ''}`, 1)
    })
}

/**
 * A failed check as a finding. No key for the token's kid and alg is a fact about the
 * token and JWKS together, not a bad signature, so it has its own id.
 */
function signatureFinding(check: Extract<SignatureCheck, { valid: false }>): Finding {
  const id = check.problem === 'no-matching-key' ? 'signature-key-not-found' : 'signature-invalid'
  return { id, severity: 'high', message: check.reason }
}
