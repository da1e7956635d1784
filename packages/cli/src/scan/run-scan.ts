import { createPublicKey, type JsonWebKey } from 'node:crypto'
import type { ForgedToken, ForgeOptions, TokenSigner } from '@tessera/core/forge'
import { forgeTokens } from '@tessera/core/forge'
import { displaySource, isUrl } from '../display-source.js'
import { decodeToken } from '../inspect/decode.js'
import { readJwksFile } from '../inspect/verify-signature.js'
import {
  assertUsableBaselines,
  BaselineBudgetError,
  type Baselines,
  classify,
  ScanSetupError,
  type Verdict,
} from './classify.js'
import { type KeyServer, startKeyServer } from './key-server.js'
import {
  BudgetExhaustedError,
  createRequestBudget,
  type RequestBudget,
  type RequestBudgetOptions,
} from './request-budget.js'

/** Options of {@link runScan}. */
export interface ScanOptions {
  /** The endpoint under test; it must require a bearer token. */
  url: string
  /** A valid access token for the endpoint. Sent only as the valid baseline. */
  token: string
  /** @default 'GET' */
  method?: string
  /** Extra request headers sent with every request. */
  headers?: Record<string, string>
  /**
   * JWKS file or URL for the HS256-with-public-key variants.
   * @default `<origin of url>/.well-known/jwks.json`
   */
  jwks?: string
  budget?: RequestBudgetOptions
  /** Reference time of the claim variants. @default new Date() */
  now?: Date
}

/** One forged variant and how the service treated it. Holds no token. */
export interface ScanResult {
  id: string
  title: string
  weakness: string
  /** Who signed the variant (see `ForgedSignature` in `@tessera/core/forge`). */
  signedBy: string
  /** For claim variants: the accepted forgery whose signature they carry. */
  via?: string
  verdict: Verdict
  status: number | null
  /** For `jku`/`x5u` variants: whether the service fetched the URL the header named. */
  fetched?: boolean
  note?: string
}

/**
 * Everything a scan found. Never holds the valid token or a forged one, nor the credentials,
 * query or fragment of the endpoint or JWKS URL.
 */
export interface ScanReport {
  /** The endpoint, as `displaySource` shows it. */
  url: string
  method: string
  baselines: Baselines
  jwks: { source: string; kid: string | null } | { source: string; error: string }
  results: ScanResult[]
  requests: number
  /** True when the request or time budget ran out before every variant was sent. */
  incomplete: boolean
}

type Jwk = Record<string, unknown>

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/**
 * Black-box scan of an endpoint that accepts bearer tokens: sends forged variants of one
 * valid token (from `forgeTokens` of `@tessera/core/forge`) and compares each response
 * with the valid and unauthenticated baselines.
 *
 * Variants that change a claim need a signature the service accepts. The scanner has no
 * issuer key, so it sends them only when one of the signature forgeries was accepted, and
 * signs them the same way; otherwise they are reported as skipped.
 *
 * @example
 * ```ts
 * const report = await runScan({ url: 'http://127.0.0.1:3000/me', token })
 * const weak = report.results.some((result) => result.verdict === 'accepted')
 * ```
 */
export async function runScan(options: ScanOptions): Promise<ScanReport> {
  const method = (options.method ?? 'GET').toUpperCase()
  const header = decodeToken(options.token).header
  const budget = createRequestBudget(options.budget)
  const send = (token: string | null) =>
    budget.send(options.url, { method, headers: requestHeaders(options.headers, token) })

  const jwksSource = options.jwks ?? new URL('/.well-known/jwks.json', options.url).href
  // With the token, without it, and the JWKS when it is fetched: nothing is judged before.
  const setupRequests = 2 + (isUrl(jwksSource) ? 1 : 0)
  const setupFailure = (error: unknown) => {
    if (!(error instanceof BudgetExhaustedError)) return error
    if (error.limit === 'requests')
      return new BaselineBudgetError(budget.maxRequests, setupRequests)
    return new ScanSetupError(`${error.message} before the baselines were taken`)
  }

  let baselines: Baselines
  try {
    baselines = {
      valid: (await send(options.token)).status,
      unauthenticated: (await send(null)).status,
    }
  } catch (error) {
    throw setupFailure(error)
  }
  assertUsableBaselines(baselines)

  const jwks = await loadPublicJwk(jwksSource, header.kid, budget).catch((error: unknown) => {
    throw setupFailure(error)
  })
  const publicKey = 'jwk' in jwks ? jwks.jwk : undefined
  const keyServer = await startKeyServer()
  const results: ScanResult[] = []
  let incomplete = false

  try {
    const forgeOptions: ForgeOptions = {
      jkuUrl: keyServer.jkuUrl,
      x5uUrl: keyServer.x5uUrl,
      ...(publicKey ? { publicKey } : {}),
      ...(options.now ? { now: options.now } : {}),
    }
    // A placeholder signer marks the variants that need a signature the service accepts.
    // They are never sent as they are.
    const placeholder: TokenSigner = {
      sign: async (header, payload) => `${encode(header)}.${encode(payload)}.`,
    }
    const variants = await forgeTokens(options.token, { ...forgeOptions, signer: placeholder })
    serveAttackerKey(keyServer, variants, header.kid)

    const sendVariant = async (variant: ForgedToken, via?: string): Promise<ScanResult> => {
      const result = resultOf(variant, via)
      if (incomplete) return { ...result, verdict: 'skipped', note: 'budget exhausted' }
      try {
        const { status } = await send(variant.token)
        return { ...result, status, verdict: classify(status, baselines) }
      } catch (error) {
        if (error instanceof BudgetExhaustedError) {
          incomplete = true
          return { ...result, verdict: 'skipped', note: error.message }
        }
        return { ...result, verdict: 'inconclusive', note: requestFailure(error) }
      }
    }

    const claimVariants = variants.filter((variant) => variant.signedBy === 'issuer')
    for (const variant of variants) {
      if (variant.signedBy !== 'issuer') results.push(await sendVariant(variant))
    }

    const technique = results.find(
      (result) =>
        result.verdict === 'accepted' &&
        ['none', 'public-key-hmac', 'attacker'].includes(result.signedBy) &&
        !namesKeyServer(variants.find((variant) => variant.id === result.id)!, keyServer),
    )
    if (technique) {
      const signer = techniqueSigner(technique.id, forgeTokens, forgeOptions)
      const resigned = await forgeTokens(options.token, { ...forgeOptions, signer })
      for (const variant of resigned.filter((forged) => forged.signedBy === 'issuer'))
        results.push(await sendVariant(variant, technique.id))
    } else {
      for (const variant of claimVariants)
        results.push({
          ...resultOf(variant),
          verdict: 'skipped',
          note: 'not sent: needs an accepted signature forgery',
        })
    }

    for (const result of results) {
      const variant = variants.find((forged) => forged.id === result.id)
      if (variant && namesKeyServer(variant, keyServer))
        result.fetched = fetchedUrls(variant).some((url) => keyServer.wasFetched(url))
    }
  } finally {
    await keyServer.close()
  }

  // Printed and written to --json output: without credentials, query or fragment.
  const shownJwks = displaySource(jwksSource)
  return {
    url: displaySource(options.url),
    method,
    baselines,
    jwks:
      'jwk' in jwks
        ? { source: shownJwks, kid: jwks.kid }
        : { source: shownJwks, error: jwks.error },
    results,
    requests: budget.used,
    incomplete,
  }
}

function requestHeaders(extra: Record<string, string> | undefined, token: string | null) {
  const headers: Record<string, string> = { ...extra }
  for (const name of Object.keys(headers))
    if (name.toLowerCase() === 'authorization') delete headers[name]
  if (token !== null) headers.authorization = `Bearer ${token}`
  return headers
}

function resultOf(variant: ForgedToken, via?: string): ScanResult {
  return {
    id: variant.id,
    title: variant.title,
    weakness: variant.weakness,
    signedBy: via ? 'forged' : variant.signedBy,
    ...(via ? { via } : {}),
    verdict: 'skipped',
    status: null,
  }
}

/** Error text of a failed request; fetch errors never contain the request headers. */
function requestFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'request timed out'
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined
  return `request failed${cause?.code ? ` (${cause.code})` : ''}`
}

async function loadPublicJwk(
  source: string,
  kid: unknown,
  budget: RequestBudget,
): Promise<{ jwk: Jwk; kid: string | null } | { error: string }> {
  try {
    const jwks = isUrl(source) ? await budget.getJson(source) : await readJwksFile(source)
    const keys = ((jwks as { keys?: unknown }).keys ?? []) as Jwk[]
    const usable = keys.filter((key) => typeof key === 'object' && key && key.kty !== 'oct')
    const jwk = usable.find((key) => key.kid === kid) ?? usable[0]
    if (!jwk) return { error: 'no public key in the JWKS; HS256 variants not sent' }
    return { jwk, kid: typeof jwk.kid === 'string' ? jwk.kid : null }
  } catch (error) {
    if (error instanceof BudgetExhaustedError) throw error
    return { error: `JWKS not available; HS256 variants not sent` }
  }
}

/**
 * Serves the attacker's public key at the `jku` and `x5u` URLs, so that a service that
 * follows them could verify the forged signature. forgeTokens does not return its attacker
 * key; it is the one it embeds in the `embedded-jwk` variant.
 */
function serveAttackerKey(server: KeyServer, variants: ForgedToken[], kid: unknown): void {
  const embedded = variants.find((variant) => variant.id === 'embedded-jwk')
  const jwk = embedded ? (decodeToken(embedded.token).header.jwk as Jwk | undefined) : undefined
  if (!jwk) return
  const alg = decodeToken(embedded!.token).header.alg
  server.serveJwks({
    keys: [{ ...jwk, ...(typeof kid === 'string' ? { kid } : {}), alg, use: 'sig' }],
  })
  const pem = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).export({
    format: 'pem',
    type: 'spki',
  })
  server.servePem(String(pem))
}

function fetchedUrls(variant: ForgedToken): string[] {
  const { jku, x5u } = decodeToken(variant.token).header
  return [jku, x5u].filter((url): url is string => typeof url === 'string')
}

function namesKeyServer(variant: ForgedToken, server: KeyServer): boolean {
  return fetchedUrls(variant).some((url) => url === server.jkuUrl || url === server.x5uUrl)
}

/**
 * A signer that applies an accepted forgery to any header and payload, by asking
 * forgeTokens for that variant of a token built from them.
 */
function techniqueSigner(
  id: string,
  forge: typeof forgeTokens,
  options: ForgeOptions,
): TokenSigner {
  return {
    async sign(header, payload) {
      const unsigned = `${encode(header)}.${encode(payload)}.${encode('placeholder')}`
      const forged = (await forge(unsigned, options)).find((variant) => variant.id === id)
      if (!forged) throw new Error(`forgery ${id} is not available`)
      return forged.token
    },
  }
}
