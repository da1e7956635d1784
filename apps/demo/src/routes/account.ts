import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../context.js'
import { DemoError } from '../errors.js'
import { bearerSecurity, errors, userResponse } from '../schemas.js'

/** `GET /me` (signature check only, no I/O for the token) and the admin-only route. */
export async function accountRoutes(app: FastifyInstance, { users }: AppContext) {
  app.get(
    '/me',
    {
      // Not a sensitive route: a revoked access token still works here until it expires.
      preHandler: app.requireAuth(),
      schema: {
        summary: 'The current user',
        security: bearerSecurity,
        response: { 200: userResponse, ...errors(401, 503) },
      },
    },
    async (request) => {
      const user = await users.findById(request.auth!.userId)
      if (!user) throw new DemoError('ERR_AUTHENTICATION_REQUIRED', 'user no longer exists')
      return { id: user.id, email: user.email, role: user.role, createdAt: user.createdAt }
    },
  )

  app.get(
    '/admin/users',
    {
      preHandler: app.requireAuth({ checkRevocation: true, role: 'admin' }),
      schema: {
        summary: 'Every user (admin role only)',
        security: bearerSecurity,
        response: {
          200: { type: 'object', properties: { users: { type: 'array', items: userResponse } } },
          ...errors(401, 403, 503),
        },
      },
    },
    async () => {
      const all = await users.list()
      return {
        users: all.map((user) => ({
          id: user.id,
          email: user.email,
          role: user.role,
          createdAt: user.createdAt,
        })),
      }
    },
  )
}
