/**
 * A server under load, run as a child process of the bench (so that autocannon, in the parent,
 * does not share its event loop). `argv`: <kind> <alg>. Sends `{ port, token }` over IPC once
 * listening; the token is only ever passed over IPC, never printed.
 *
 * Kinds:
 * - `demo`: the demo app (apps/demo) on its embedded defaults, GET /me of a registered user;
 * - `demo-postgres`: the same on PostgreSQL (a schema of its own, dropped on close);
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
import { createTessera, generateKey, generateKeySet, saveKeySet } from '@tessera/core'
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

async function demoApp(postgres: boolean) {
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-bench-demo-'))
  // On PostgreSQL, a schema of our own, dropped when the app closes.
  const schema = `tessera_bench_demo_${randomBytes(6).toString('hex')}`
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test'
  // The demo generates ES256 keys on first start; other algorithms are written beforehand.
  await saveKeySet(await generateKeySet(alg), join(dataDir, 'keys.json'))
  Object.assign(process.env, { DATA_DIR: dataDir, LOG_LEVEL: 'warn', PORT: '0' })
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'TESSERA_SECRET']) delete process.env[name]
  if (postgres) process.env.DATABASE_URL = `${databaseUrl}?schema=${schema}`
  // The demo is private and exports nothing: its modules are loaded from the workspace.
  const demo = '../../../apps/demo/src'
  const { loadConfig } = await import(`${demo}/config.js`)
  const { createRuntime } = await import(`${demo}/runtime.js`)
  const { buildApp } = await import(`${demo}/app.js`)
  const app: FastifyInstance = await buildApp(await createRuntime(loadConfig(process.env)))
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
  return { app, token: (login.json() as { accessToken: string }).accessToken }
}

const builders: Record<string, () => Promise<{ app: FastifyInstance; token: string }>> = {
  demo: () => demoApp(false),
  'demo-postgres': () => demoApp(true),
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
