import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../context.js'

/** Public key set, liveness and readiness. */
export async function metaRoutes(app: FastifyInstance, { jwks, probes }: AppContext) {
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        summary: 'Public keys that verify access tokens (RFC 7517)',
        response: {
          200: {
            type: 'object',
            properties: {
              keys: { type: 'array', items: { type: 'object', additionalProperties: true } },
            },
          },
        },
      },
    },
    async (_request, reply) => {
      // Five minutes: a key is published as `next` well before it signs, so a verifier's
      // cached copy always knows the signing key in time.
      reply.header('Cache-Control', 'public, max-age=300')
      return jwks()
    },
  )

  app.get('/health', { schema: { summary: 'Liveness: the process answers' } }, async () => ({
    status: 'ok',
  }))

  app.get(
    '/ready',
    { schema: { summary: 'Readiness: database and denylist answer' } },
    async (_request, reply) => {
      const names = Object.keys(probes)
      const results = await Promise.all(names.map((name) => probes[name]!()))
      const checks = Object.fromEntries(names.map((name, i) => [name, results[i]]))
      const ready = results.every((result) => result === 'ok')
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', checks })
    },
  )
}
