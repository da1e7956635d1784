import { randomBytes } from 'node:crypto'
import { InvalidRefreshTokenError, TokenError } from '@tessera/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppContext } from '../context.js'
import { cookieOptions, DEVICE_COOKIE, REFRESH_COOKIE } from '../cookies.js'
import { DemoError } from '../errors.js'
import { hashPassword, verifyPassword } from '../passwords.js'
import { bearerToken } from '../plugins/auth.js'
import {
  bearerSecurity,
  changePasswordBody,
  credentialsBody,
  errors,
  tokenResponse,
  userResponse,
} from '../schemas.js'
import type { User } from '../users.js'
import { assertSameSite } from './csrf.js'

interface Credentials {
  email: string
  password: string
}

// A device id is 32 random bytes, base64url; anything else in the cookie is replaced.
const DEVICE_ID = /^[A-Za-z0-9_-]{43}$/
const DEVICE_MAX_AGE_SECONDS = 400 * 24 * 3600

function publicUser(user: User) {
  return { id: user.id, email: user.email, role: user.role, createdAt: user.createdAt }
}

/** The routes under `/auth`: register, login, refresh, logout, logout-all, password. */
export async function authRoutes(app: FastifyInstance, context: AppContext) {
  const { config, tessera, users } = context
  const tokenBody = (accessToken: string, user?: User) => ({
    accessToken,
    tokenType: 'Bearer' as const,
    expiresIn: config.accessTokenTtlSeconds,
    ...(user ? { user: publicUser(user) } : {}),
  })

  // The device id binds a token family to this browser: a refresh token copied elsewhere
  // without the device cookie counts as reuse and revokes the family.
  function deviceOf(request: FastifyRequest, reply: FastifyReply, create: boolean) {
    const current = request.cookies[DEVICE_COOKIE]
    if (current && DEVICE_ID.test(current)) return current
    if (!create) return undefined
    const device = randomBytes(32).toString('base64url')
    reply.setCookie(DEVICE_COOKIE, device, cookieOptions(DEVICE_MAX_AGE_SECONDS))
    return device
  }

  // Claims of a bearer token that verifies, or null for one that does not (expired, forged,
  // malformed). Without `checkRevocation` verification does no I/O, so every TokenError is
  // about the token itself; anything else is a bug and still propagates.
  async function verifiedOrNull(accessToken: string) {
    try {
      return (await tessera.verifyAccessToken(accessToken)).claims
    } catch (error) {
      if (error instanceof TokenError) return null
      throw error
    }
  }

  function setRefreshCookie(reply: FastifyReply, refreshToken: string) {
    reply.setCookie(REFRESH_COOKIE, refreshToken, cookieOptions(context.refreshTokenTtlSeconds))
  }

  interface Budget {
    max: number
    windowSeconds: number
    key: (request: FastifyRequest) => string
  }

  // @fastify/rate-limit runs one `rateLimit` hook per request, so routes with several budgets
  // check them in a pre-handler through `createRateLimit`, in order; the first one spent
  // answers 429.
  function limit(message: string, budgets: Budget[]) {
    const checks = budgets.map((budget) =>
      app.createRateLimit({
        max: budget.max,
        timeWindow: budget.windowSeconds * 1000,
        keyGenerator: budget.key,
      }),
    )
    return async (request: FastifyRequest, reply: FastifyReply) => {
      for (const check of checks) {
        const result = await check(request)
        if (!result.isAllowed && result.isExceeded) {
          reply.header('Retry-After', String(result.ttlInSeconds))
          throw new DemoError('ERR_RATE_LIMITED', message)
        }
      }
    }
  }

  // Login: per client IP (spraying many accounts) and per account (guessing one password
  // from many IPs).
  const { loginRateLimit, registerRateLimit, passwordRateLimit } = config
  const loginLimit = limit('too many login attempts, retry later', [
    {
      max: loginRateLimit.perIp,
      windowSeconds: loginRateLimit.windowSeconds,
      key: (request) => `login-ip:${request.ip}`,
    },
    {
      max: loginRateLimit.perAccount,
      windowSeconds: loginRateLimit.windowSeconds,
      key: (request) => `login-account:${(request.body as Credentials).email.toLowerCase()}`,
    },
  ])
  // Registration: each one costs an argon2id hash, so a client IP gets a small budget.
  const registerLimit = limit('too many registrations, retry later', [
    {
      max: registerRateLimit.perIp,
      windowSeconds: registerRateLimit.windowSeconds,
      key: (request) => `register-ip:${request.ip}`,
    },
  ])
  // Password change: a stolen access token must not become unlimited guesses of the current
  // password; per IP too, for many stolen tokens used from one place. Runs after requireAuth.
  const passwordLimit = limit('too many password change attempts, retry later', [
    {
      max: passwordRateLimit.perIp,
      windowSeconds: passwordRateLimit.windowSeconds,
      key: (request) => `password-ip:${request.ip}`,
    },
    {
      max: passwordRateLimit.perUser,
      windowSeconds: passwordRateLimit.windowSeconds,
      key: (request) => `password-user:${request.auth!.userId}`,
    },
  ])

  app.post<{ Body: Credentials }>(
    '/register',
    {
      preHandler: registerLimit,
      schema: {
        summary: 'Create an account',
        body: credentialsBody,
        response: { 201: userResponse, ...errors(400, 409, 429, 503) },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body
      const role = config.adminEmails.includes(email.toLowerCase()) ? 'admin' : 'user'
      const user = await users.create({ email, passwordHash: await hashPassword(password), role })
      request.log.info({ userId: user.id, role }, 'user registered')
      return reply.code(201).send(publicUser(user))
    },
  )

  app.post<{ Body: Credentials }>(
    '/login',
    {
      preHandler: loginLimit,
      schema: {
        summary: 'Log in: access token in the body, refresh token in an HttpOnly cookie',
        body: credentialsBody,
        response: { 200: tokenResponse, ...errors(400, 401, 429, 503) },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body
      const user = await users.findByEmail(email)
      const valid = await verifyPassword(user?.passwordHash ?? null, password)
      if (!user || !valid) {
        throw new DemoError('ERR_CREDENTIALS_INVALID', 'email or password is incorrect')
      }

      const device = deviceOf(request, reply, true)
      const pair = await tessera.issueTokens(user.id, { device, role: user.role })
      setRefreshCookie(reply, pair.refreshToken)
      request.log.info({ userId: user.id }, 'user logged in')
      return tokenBody(pair.accessToken, user)
    },
  )

  app.post(
    '/refresh',
    {
      config: {
        rateLimit: {
          max: config.refreshRateLimit.perIp,
          timeWindow: config.refreshRateLimit.windowSeconds * 1000,
        },
      },
      schema: {
        summary: 'Rotate the refresh cookie for a new access token',
        description: 'Needs the refresh cookie and X-Requested-With (or an allowed Origin).',
        response: { 200: tokenResponse, ...errors(401, 403, 429, 503) },
      },
    },
    async (request, reply) => {
      assertSameSite(request, config.allowedOrigins)
      const refreshToken = request.cookies[REFRESH_COOKIE]
      if (!refreshToken) throw new InvalidRefreshTokenError()

      const device = deviceOf(request, reply, false)
      const pair = await tessera.refreshTokens(refreshToken, { device })
      setRefreshCookie(reply, pair.refreshToken)
      return tokenBody(pair.accessToken)
    },
  )

  // Logout must work with a stale page: an SPA idle past the access token's lifetime still
  // holds the refresh cookie, and that cookie is what keeps the session alive. So the family
  // is always revoked from the cookie and the cookies are always cleared; the bearer token is
  // best effort, denylisted only when it verifies. Once the CSRF check passes the answer is
  // 204, also with no, an expired or a forged bearer token, and with no or a dead cookie.
  app.post(
    '/logout',
    {
      schema: {
        summary: 'Revoke this session: refresh token family and current access token',
        description:
          'Needs X-Requested-With (or an allowed Origin). Revokes the family of the refresh ' +
          'cookie and clears the cookies; a Bearer token is optional and denylisted when valid.',
        security: bearerSecurity,
        response: { 204: { type: 'null' }, ...errors(403, 503) },
      },
    },
    async (request, reply) => {
      assertSameSite(request, config.allowedOrigins)

      // Core revokes only when the cookie's secret matches and silently ignores anything else
      // (a bare id, a wrong secret, garbage), so a forged cookie logs nobody out.
      const refreshToken = request.cookies[REFRESH_COOKIE]
      if (refreshToken) await tessera.revokeRefreshToken(refreshToken)
      reply.clearCookie(REFRESH_COOKIE, cookieOptions())
      reply.clearCookie(DEVICE_COOKIE, cookieOptions())

      const accessToken = bearerToken(request)
      const claims = accessToken ? await verifiedOrNull(accessToken) : null
      if (claims) await tessera.revokeAccessToken(claims.jti, claims.exp)

      request.log.info({ userId: claims?.sub }, 'user logged out')
      return reply.code(204).send()
    },
  )

  app.post(
    '/logout-all',
    {
      preHandler: app.requireAuth({ checkRevocation: true }),
      schema: {
        summary: 'Log out everywhere: revoke every token family and access token of the user',
        security: bearerSecurity,
        response: { 204: { type: 'null' }, ...errors(401, 503) },
      },
    },
    async (request, reply) => {
      const { userId } = request.auth!
      await tessera.revokeAllUserTokens(userId)
      reply.clearCookie(REFRESH_COOKIE, cookieOptions())
      request.log.info({ userId }, 'user logged out everywhere')
      return reply.code(204).send()
    },
  )

  app.post<{ Body: { currentPassword: string; newPassword: string } }>(
    '/password',
    {
      preHandler: [app.requireAuth({ checkRevocation: true }), passwordLimit],
      schema: {
        summary: 'Change password: revokes every token family of the user, starts a new one',
        security: bearerSecurity,
        body: changePasswordBody,
        response: { 200: tokenResponse, ...errors(400, 401, 403, 429, 503) },
      },
    },
    async (request, reply) => {
      const { userId } = request.auth!
      const user = await users.findById(userId)
      const valid = await verifyPassword(user?.passwordHash ?? null, request.body.currentPassword)
      if (!user || !valid) {
        throw new DemoError('ERR_CURRENT_PASSWORD_INVALID', 'current password is incorrect')
      }

      await users.updatePasswordHash(user.id, await hashPassword(request.body.newPassword))
      await tessera.revokeAllUserTokens(user.id)
      const device = deviceOf(request, reply, true)
      const pair = await tessera.issueTokens(user.id, { device, role: user.role })
      setRefreshCookie(reply, pair.refreshToken)
      request.log.info({ userId }, 'password changed')
      return tokenBody(pair.accessToken, user)
    },
  )
}
