import type { AccessTokenClaims, Tessera } from '@tessera/core'
import type { FastifyPluginAsync, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { DemoError } from '../errors.js'

/** The verified access token of the current request. */
export interface AuthContext {
  userId: string
  role: string | undefined
  claims: AccessTokenClaims
}

/** Options of `app.requireAuth`. */
export interface RequireAuthOptions {
  /**
   * Also consult the denylist and the user's token version: for sensitive routes.
   * @default false
   */
  checkRevocation?: boolean
  /** Role the access token must carry. */
  role?: string
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a `requireAuth` pre-handler; null on routes without one. */
    auth: AuthContext | null
  }
  interface FastifyInstance {
    /** A pre-handler that verifies `Authorization: Bearer` and sets `request.auth`. */
    requireAuth(options?: RequireAuthOptions): preHandlerAsyncHookHandler
  }
}

// RFC 6750 section 2.1: the scheme is case-insensitive, the token is a b64token.
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i

/** The bearer token of a request, or null when there is none. */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization
  if (!header) return null
  return BEARER.exec(header)?.[1] ?? null
}

const authPlugin: FastifyPluginAsync<{ tessera: Tessera }> = async (app, { tessera }) => {
  app.decorateRequest('auth', null)

  app.decorate('requireAuth', (options: RequireAuthOptions = {}) => {
    const handler: preHandlerAsyncHookHandler = async (request) => {
      const token = bearerToken(request)
      if (!token) {
        throw new DemoError('ERR_AUTHENTICATION_REQUIRED', 'an access token is required')
      }

      const { claims } = await tessera.verifyAccessToken(token, {
        checkRevocation: options.checkRevocation ?? false,
      })
      request.auth = { userId: claims.sub, role: claims.role, claims }

      if (options.role && claims.role !== options.role) {
        throw new DemoError('ERR_ROLE_FORBIDDEN', `this route requires the ${options.role} role`)
      }
    }
    return handler
  })
}

/** Decorates requests with `auth` and the app with `requireAuth`. */
export default fp(authPlugin, { name: 'tessera-auth', fastify: '5.x' })
