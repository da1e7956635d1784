/**
 * A server under load, run as a child process of the bench (so that autocannon, in the parent,
 * does not share its event loop). `argv`: <kind> <alg>. Sends `{ port, token }` over IPC once
 * listening; the token is only ever passed over IPC, never printed.
 *
 * Kinds:
 * - `demo`: the demo app (apps/demo) on its embedded defaults, GET /me of a registered user;
 * - `demo-postgres`: the same on PostgreSQL (a schema of its own, dropped on close);
 * - `demo-fastify-jwt` / `demo-postgres-fastify-jwt`: the same demo app (same builder, plugins,
 *   database, `/me` handler and key set) whose access-token verification alone is done by
 *   @fastify/jwt, registered on that app instance (see {@link fastifyJwtVerification});
 * - `tessera` / `tessera-cache`: a minimal Fastify app whose GET /me is protected by
 *   `verifyAccessToken` (verified-token cache off / on);
 * - `fastify-jwt` / `fastify-jwt-cache`: the same minimal app protected by @fastify/jwt with
 *   the same key, algorithm and checks (fast-jwt cache off / on).
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fastifyJwt from '@fastify/jwt'
import {
  createTessera,
  generateKey,
  generateKeySet,
  InvalidClaimsError,
  InvalidHeaderError,
  InvalidSignatureError,
  type KeySet,
  MalformedTokenError,
  saveKeySet,
  type Tessera,
  type TokenError,
  TokenExpiredError,
  type VerifiedAccessToken,
} from '@tessera/core'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import pg from 'pg'

type Alg = 'ES256' | 'RS256' | 'EdDSA'
const [kind, alg] = process.argv.slice(2) as [string, Alg]
const ISSUER = 'https://auth.bench.example'
const AUDIENCE = 'https://api.bench.example'

function bearer(request: FastifyRequest) {
  const header = request.headers.authorization
  return header?.startsWith('Bearer ') ? header.slice(7) : null
}

async function minimal(protect: (app: FastifyInstance) => Promise<void>) {
  const app = Fastify({ logger: false })
  await protect(app)
  return app
}

const claimsOf = new WeakMap<FastifyRequest, { sub: string; role?: string }>()

async function tesseraApp(cache: boolean) {
  const key = await generateKey(alg)
  const tessera = createTessera({
    keys: { keys: [key] },
    issuer: ISSUER,
    audience: AUDIENCE,
    ...(cache ? { verifiedTokenCache: { maxEntries: 10_000 } } : {}),
  })
  const app = await minimal(async (app) => {
    app.get(
      '/me',
      {
        preHandler: async (request: FastifyRequest, reply: FastifyReply) => {
          const token = bearer(request)
          try {
            if (!token) throw new Error('no token')
            const { claims } = await tessera.verifyAccessToken(token)
            claimsOf.set(request, claims)
          } catch {
            return reply.code(401).send({ error: 'unauthorized' })
          }
        },
      },
      async (request) => {
        const claims = claimsOf.get(request)
        return { id: claims?.sub, role: claims?.role }
      },
    )
  })
  return { app, token: await tessera.generateAccessToken('user-1', 'user') }
}

async function fastifyJwtApp(cache: boolean) {
  const key = await generateKey(alg)
  if (!key.privateKey) throw new Error('no private key')
  const app = await minimal(async (app) => {
    await app.register(fastifyJwt, {
      secret: {
        public: key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
        private: key.privateKey?.export({ format: 'pem', type: 'pkcs8' }).toString() ?? '',
      },
      sign: { algorithm: alg, kid: key.kid, iss: ISSUER, aud: AUDIENCE, expiresIn: 900_000 },
      verify: {
        algorithms: [alg],
        allowedIss: ISSUER,
        allowedAud: AUDIENCE,
        checkTyp: 'at+jwt',
        clockTolerance: 30_000,
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
        cache: cache ? 10_000 : false,
      },
    })
    app.get(
      '/me',
      {
        preHandler: async (request: FastifyRequest, reply: FastifyReply) => {
          try {
            await request.jwtVerify()
          } catch {
            return reply.code(401).send({ error: 'unauthorized' })
          }
        },
      },
      async (request) => {
        const user = request.user as { sub: string; role?: string }
        return { id: user.sub, role: user.role }
      },
    )
  })
  // Same claims and header as Tessera issues: sub, role, jti, typ at+jwt.
  const token = app.jwt.sign(
    { sub: 'user-1', role: 'user', jti: randomBytes(16).toString('base64url') },
    { header: { alg, kid: key.kid, typ: 'at+jwt' } } as never,
  )
  return { app, token }
}

/** What a fast-jwt error means in Tessera's terms, so the demo's error handler answers alike. */
function asTokenError(error: unknown): TokenError {
  const code = (error as { code?: unknown }).code
  switch (code) {
    case 'FAST_JWT_EXPIRED':
      // fast-jwt states the expiry only in its message; the demo answers from the code alone.
      return new TokenExpiredError(new Date(), { cause: error })
    case 'FAST_JWT_INVALID_SIGNATURE':
      return new InvalidSignatureError(undefined, { cause: error })
    case 'FAST_JWT_INVALID_ALGORITHM':
      return new InvalidHeaderError('alg', 'algorithm not allowed', 'ERR_ALGORITHM_NOT_ALLOWED')
    case 'FAST_JWT_INVALID_TYPE':
      return new InvalidHeaderError('typ', 'token type not allowed')
    case 'FAST_JWT_MALFORMED':
    case 'FAST_JWT_INVALID_PAYLOAD':
      return new MalformedTokenError(undefined, undefined, { cause: error })
    default:
      return new InvalidClaimsError('claims', 'token claims rejected', { cause: error })
  }
}

/**
 * The demo's Tessera with `verifyAccessToken` done by @fastify/jwt instead, for the fair HTTP
 * comparison: everything else (issue, rotation, revocation) stays Tessera's. The seam is the
 * context handed to the demo's `buildApp`: its auth plugin calls `context.tessera
 * .verifyAccessToken(token, { checkRevocation })` on each request, so replacing that one
 * method swaps the verifier without touching apps/demo. @fastify/jwt is registered on the
 * demo's own app instance (`register`, called once `buildApp` has returned) with the demo's
 * public key and the checks Tessera makes: `alg` allow-list, `iss`, `aud`, `typ: at+jwt`,
 * `exp`/`nbf` with Tessera's default 30 s tolerance, `iat`, `sub` and `jti` required. It gets
 * the active key only (which signs every token here), so it makes no `kid` lookup, and it has
 * no revocation check: a call with `checkRevocation` (not on `/me`) is left to Tessera
 * entirely. `state.calls` counts the verifications @fastify/jwt made.
 */
function fastifyJwtVerification(tessera: Tessera, keys: KeySet, issuer: string, audience: string) {
  // Every token of the run is signed by the active key; @fastify/jwt gets that one key.
  const key = keys.keys.find((candidate) => candidate.state === 'active')
  if (!key) throw new Error('no active key')
  let verify: ((token: string) => Record<string, unknown>) | undefined
  const state = { calls: 0 }
  const swapped: Tessera = {
    ...tessera,
    verifyAccessToken: async (token, options) => {
      if (options?.checkRevocation) return tessera.verifyAccessToken(token, options)
      if (!verify) throw new Error('@fastify/jwt is not registered yet')
      let claims: Record<string, unknown>
      try {
        claims = verify(token)
      } catch (error) {
        throw asTokenError(error)
      }
      state.calls++
      return {
        claims: Object.freeze(claims) as VerifiedAccessToken['claims'],
        kid: key.kid,
      }
    },
  }
  const register = async (app: FastifyInstance) => {
    await app.register(fastifyJwt, {
      secret: { public: key.publicKey.export({ format: 'pem', type: 'spki' }).toString() },
      verify: {
        algorithms: [key.alg],
        allowedIss: issuer,
        allowedAud: audience,
        checkTyp: 'at+jwt',
        clockTolerance: 30_000,
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
        cache: false,
      },
    })
    verify = (token) => app.jwt.verify<Record<string, unknown>>(token)
  }
  return { tessera: swapped, register, state }
}

/**
 * The demo app (apps/demo, its own `buildApp` and `createRuntime`) with a registered user
 * and that user's access token; `verifier: 'fastify-jwt'` swaps access-token verification
 * alone for @fastify/jwt. Before answering, checks on the app itself that `/me` accepts the
 * token and refuses one of another audience and one of another issuer (same key), and that
 * the swapped verifier is the one that ran.
 */
async function demoApp(postgres: boolean, verifier: 'tessera' | 'fastify-jwt') {
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-bench-demo-'))
  // On PostgreSQL, a schema of our own, dropped when the app closes.
  const schema = `tessera_bench_demo_${randomBytes(6).toString('hex')}`
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test'
  // The demo generates ES256 keys on first start; other algorithms are written beforehand.
  const keys = await generateKeySet(alg)
  await saveKeySet(keys, join(dataDir, 'keys.json'))
  Object.assign(process.env, { DATA_DIR: dataDir, LOG_LEVEL: 'warn', PORT: '0' })
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'TESSERA_SECRET']) delete process.env[name]
  if (postgres) process.env.DATABASE_URL = `${databaseUrl}?schema=${schema}`
  // The demo is private and exports nothing: its modules are loaded from the workspace.
  const demo = '../../../apps/demo/src'
  const { loadConfig } = await import(`${demo}/config.js`)
  const { createRuntime } = await import(`${demo}/runtime.js`)
  const { buildApp } = await import(`${demo}/app.js`)
  const context = await createRuntime(loadConfig(process.env))
  const { issuer, audience } = context.config as { issuer: string; audience: string }
  const swap =
    verifier === 'fastify-jwt'
      ? fastifyJwtVerification(context.tessera, keys, issuer, audience)
      : null
  const app: FastifyInstance = await buildApp(
    swap ? { ...context, tessera: swap.tessera } : context,
  )
  await swap?.register(app)
  app.addHook('onClose', async () => {
    await rm(dataDir, { recursive: true, force: true })
    if (!postgres) return
    const client = new pg.Client({ connectionString: databaseUrl })
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await client.end()
  })

  const credentials = { email: 'bench@example.com', password: 'bench-password-0123456789' }
  const registered = await app.inject({
    method: 'POST',
    url: '/auth/register',
    payload: credentials,
  })
  if (registered.statusCode !== 201) throw new Error(`register: ${registered.statusCode}`)
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: credentials })
  if (login.statusCode !== 200) throw new Error(`login: ${login.statusCode}`)
  const token = (login.json() as { accessToken: string }).accessToken

  const me = (bearer: string) =>
    app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${bearer}` } })
  const accepted = await me(token)
  if (accepted.statusCode !== 200) throw new Error(`GET /me answered ${accepted.statusCode}`)
  const userId = (accepted.json() as { id: string }).id
  for (const [name, other] of [
    ['audience', { issuer, audience: `${audience}-other` }],
    ['issuer', { issuer: new URL('/another-issuer', issuer).href, audience }],
  ] as const) {
    const foreign = await createTessera({ keys, ...other }).generateAccessToken(userId)
    const refused = await me(foreign)
    if (refused.statusCode !== 401) {
      throw new Error(`GET /me with another ${name} answered ${refused.statusCode}, not 401`)
    }
  }
  if (swap && swap.state.calls !== 1) {
    throw new Error(`@fastify/jwt verified ${swap.state.calls} tokens, expected 1`)
  }
  return { app, token }
}

const builders: Record<string, () => Promise<{ app: FastifyInstance; token: string }>> = {
  demo: () => demoApp(false, 'tessera'),
  'demo-postgres': () => demoApp(true, 'tessera'),
  'demo-fastify-jwt': () => demoApp(false, 'fastify-jwt'),
  'demo-postgres-fastify-jwt': () => demoApp(true, 'fastify-jwt'),
  tessera: () => tesseraApp(false),
  'tessera-cache': () => tesseraApp(true),
  'fastify-jwt': () => fastifyJwtApp(false),
  'fastify-jwt-cache': () => fastifyJwtApp(true),
}

const build = builders[kind]
if (!build) throw new Error(`unknown server kind ${kind}`)
const { app, token } = await build()
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
const port = typeof address === 'object' && address ? address.port : 0
process.send?.({ port, token })
process.on('message', (message) => {
  if (message === 'stop') app.close().finally(() => process.exit(0))
})
