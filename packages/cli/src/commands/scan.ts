import { type Command, InvalidArgumentError } from 'commander'
import { displaySource, hasCredentials } from '../display-source.js'
import { TokenDecodeError } from '../inspect/decode.js'
import { CliError, readStdin, type StdinIo } from '../io.js'
import { BaselineBudgetError, ScanSetupError } from '../scan/classify.js'
import { formatScanReport, scanExitCode } from '../scan/format.js'
import { runScan } from '../scan/run-scan.js'
import { positiveInteger } from './inspect.js'

interface ScanCommandOptions {
  url: string
  token: string
  jwks?: string
  method: string
  header?: Record<string, string>
  json: boolean
  maxRequests: number
  rate: number
  timeout: number
  maxTime: number
}

function httpUrl(value: string): string {
  try {
    const url = new URL(value)
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.href
  } catch {
    // Reported below.
  }
  throw new InvalidArgumentError('expected an http or https URL')
}

const NO_TOKEN_ON_STDIN = '--token - reads the token from stdin, but stdin holds none'

/** Methods that `fetch` refuses to send, so a scan could never use them. */
const UNSENDABLE_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK'])

/** Parses `--method`: letters only (an HTTP token without punctuation), upper-cased. */
export function httpMethod(value: string): string {
  const method = value.toUpperCase()
  if (!/^[A-Z]{1,20}$/.test(method))
    throw new InvalidArgumentError('expected an HTTP method of letters only, such as GET or POST')
  if (UNSENDABLE_METHODS.has(method))
    throw new InvalidArgumentError(`${method} cannot be sent by the scanner`)
  return method
}

/** Collects `--header`; it has no default value, which the help would show as `{}`. */
function collectHeader(
  value: string,
  headers: Record<string, string> | undefined,
): Record<string, string> {
  const colon = value.indexOf(':')
  if (colon < 1) throw new InvalidArgumentError('expected name:value')
  return { ...headers, [value.slice(0, colon).trim()]: value.slice(colon + 1).trim() }
}

/**
 * Registers `tessera scan`: sends forged variants of one valid token to an endpoint and
 * reports which ones it accepts. Exit codes: 0 nothing accepted, 1 a forgery accepted or a
 * forged key URL fetched, 2 bad arguments, unusable baselines or an exhausted budget.
 * Neither the valid token nor a forged one is ever printed; forgeries appear by id, and the
 * `--url` and `--jwks` URLs without credentials, query or fragment.
 */
export function registerScanCommand(program: Command, io: StdinIo): Command {
  return program
    .command('scan')
    .description('check an endpoint that accepts bearer tokens for JWT verification weaknesses')
    .requiredOption('--url <endpoint>', 'endpoint that requires a bearer token', httpUrl)
    .requiredOption(
      '--token <token>',
      'a valid access token for the endpoint; "-" reads it from stdin (out of ps and history)',
    )
    .option('--jwks <file-or-url>', 'public keys (default: /.well-known/jwks.json of the url)')
    .option('--method <method>', 'HTTP method of the request', httpMethod, 'GET')
    .option('--header <name:value>', 'extra request header (repeatable)', collectHeader)
    .option('--json', 'print the report as JSON', false)
    .option('--max-requests <n>', 'most requests to send, baselines included', positiveInteger, 100)
    .option('--rate <n>', 'most requests per second', positiveInteger, 10)
    .option('--timeout <seconds>', 'time limit of each request', positiveInteger, 5)
    .option('--max-time <seconds>', 'time limit of the whole scan', positiveInteger, 120)
    .action(async (options: ScanCommandOptions) => {
      // Named without the value: commander would echo it, credentials included.
      if (hasCredentials(options.url))
        throw new CliError('--url with credentials (user:password@) is not supported', 2)
      const token =
        options.token === '-' ? (await readStdin(io, NO_TOKEN_ON_STDIN)).trim() : options.token
      if (token === '') throw new CliError(NO_TOKEN_ON_STDIN, 2)
      const report = await runScan({
        url: options.url,
        token,
        method: options.method,
        headers: options.header ?? {},
        ...(options.jwks ? { jwks: options.jwks } : {}),
        budget: {
          maxRequests: options.maxRequests,
          ratePerSecond: options.rate,
          requestTimeoutMs: options.timeout * 1000,
          totalTimeoutMs: options.maxTime * 1000,
        },
      }).catch((error: unknown) => {
        if (error instanceof BaselineBudgetError)
          throw new CliError(
            `--max-requests ${error.maxRequests} is too small: taking the baselines ` +
              `alone needs ${error.neededRequests} requests`,
            2,
          )
        if (error instanceof ScanSetupError || error instanceof TokenDecodeError)
          throw new CliError(error.message, 2)
        if (error instanceof Error && /fetch failed|aborted|timeout/i.test(error.message))
          throw new CliError(`cannot reach ${displaySource(options.url)}`, 2)
        throw error
      })

      io.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatScanReport(report))
      const code = scanExitCode(report)
      if (code === 1) throw new CliError('the endpoint accepted forged tokens', 1)
      if (code === 2) throw new CliError('scan incomplete: request or time budget exhausted', 2)
    })
}
