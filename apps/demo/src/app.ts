import cookie from '@fastify/cookie'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, { type FastifyInstance } from 'fastify'
import type { DestinationStream } from 'pino'
import type { AppContext } from './context.js'
import { AUTH_PREFIX } from './cookies.js'
import { errorHandler } from './error-handler.js'
import { loggerOptions } from './logger.js'
import authPlugin from './plugins/auth.js'
import { accountRoutes } from './routes/account.js'
import { authRoutes } from './routes/auth.js'
import { metaRoutes } from './routes/meta.js'

// Deletes expired refresh tokens and denylist entries now and then. The timer is unref'd so
// that it never keeps the process alive, and stops when the app closes.
function scheduleCleanup(app: FastifyInstance, context: AppContext) {
  let timer: NodeJS.Timeout | undefined
  app.addHook('onReady', async () => {
    timer = setInterval(() => {
      context.tessera.cleanup().then(
        (deleted) => app.log.info({ deleted }, 'expired tokens cleaned up'),
        (error: unknown) => app.log.warn({ err: error }, 'cleanup failed'),
      )
    }, context.config.cleanupIntervalSeconds * 1000)
    timer.unref()
  })
  app.addHook('onClose', async () => clearInterval(timer))
}

// Reuse detection is a theft signal: one warn line with a fixed message and the ids an operator
// needs to alert and investigate. Not the token id either: it is the first half of the cookie.
function logReuseDetection(app: FastifyInstance, context: AppContext) {
  const unsubscribe = context.onTesseraEvent((event) => {
    if (event.type !== 'reuse.detected') return
    app.log.warn(
      {
        familyId: event.familyId,
        userId: event.userId,
        generation: event.generation,
        likely: event.likely,
        reason: event.reason,
        sinceRotationMs: event.sinceRotationMs,
      },
      'refresh token reuse detected',
    )
  })
  app.addHook('onClose', async () => unsubscribe())
}

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  /** Where log lines go; stdout by default. Tests pass a capturing stream. */
  logStream?: DestinationStream
}

/**
 * Builds the demo's Fastify instance around `context` without listening. Closing the app
 * closes the context (database, Redis).
 *
 * @example
 * ```ts
 * const app = await buildApp(await createRuntime(loadConfig()))
 * await app.listen({ port: 3000 })
 * ```
 */
export async function buildApp(
  context: AppContext,
  options: BuildAppOptions = {},
): Promise<FastifyInstance> {
  const { config } = context
  const app = Fastify({
    logger: loggerOptions(config.logLevel, options.logStream),
    trustProxy: config.trustProxy,
    bodyLimit: 16 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  })
  app.setErrorHandler(errorHandler)
  scheduleCleanup(app, context)
  logReuseDetection(app, context)
  app.addHook('onClose', async () => context.close())

  await app.register(helmet, {
    // The Swagger UI page needs its own scripts and styles; swagger-ui sets a CSP for it.
    contentSecurityPolicy: { directives: { 'script-src': ["'self'"] } },
  })
  await app.register(cookie)
  await app.register(rateLimit, { global: false })
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Tessera demo',
        version: '0.0.0',
        description: 'Access token in the body, refresh token in an HttpOnly cookie on /auth.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
  await app.register(authPlugin, { tessera: context.tessera })

  await app.register(async (scope) => authRoutes(scope, context), { prefix: AUTH_PREFIX })
  await app.register(async (scope) => accountRoutes(scope, context))
  await app.register(async (scope) => metaRoutes(scope, context))
  return app
}
