import type { TokenErrorCode } from '@tessera/core'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { cookieOptions, REFRESH_COOKIE } from './cookies.js'
import type { DemoErrorCode } from './errors.js'

interface Mapping {
  status: number
  /** RFC 6750 section 3.1 error code for `WWW-Authenticate: Bearer`; null for no code. */
  bearerError?: 'invalid_token' | 'insufficient_scope' | null
  /** Clears the refresh cookie, for a refresh token that can never work again. */
  clearRefreshCookie?: boolean
}

const INVALID_TOKEN: Mapping = { status: 401, bearerError: 'invalid_token' }
const DEAD_REFRESH_TOKEN: Mapping = { ...INVALID_TOKEN, clearRefreshCookie: true }
const UNAVAILABLE: Mapping = { status: 503 }

/** The one place that decides the HTTP status of every coded error. */
const STATUS_BY_CODE: Record<TokenErrorCode | DemoErrorCode, Mapping> = {
  ERR_TOKEN_MALFORMED: INVALID_TOKEN,
  ERR_TOKEN_TOO_LARGE: INVALID_TOKEN,
  ERR_TOKEN_HEADER_INVALID: INVALID_TOKEN,
  ERR_ALGORITHM_NOT_ALLOWED: INVALID_TOKEN,
  ERR_KEY_UNKNOWN: INVALID_TOKEN,
  ERR_SIGNATURE_INVALID: INVALID_TOKEN,
  ERR_TOKEN_EXPIRED: INVALID_TOKEN,
  ERR_CLAIM_INVALID: INVALID_TOKEN,
  ERR_ACCESS_TOKEN_DENIED: INVALID_TOKEN,
  ERR_TOKEN_VERSION_STALE: INVALID_TOKEN,
  ERR_REFRESH_TOKEN_INVALID: DEAD_REFRESH_TOKEN,
  ERR_REFRESH_TOKEN_REUSED: DEAD_REFRESH_TOKEN,
  ERR_STORE_UNAVAILABLE: UNAVAILABLE,
  ERR_REVOCATION_UNAVAILABLE: UNAVAILABLE,
  ERR_DATABASE_UNAVAILABLE: UNAVAILABLE,
  ERR_KEY_SET_INVALID: { status: 500 },
  ERR_KEY_FILE_INVALID: { status: 500 },
  ERR_AUTHENTICATION_REQUIRED: { status: 401, bearerError: null },
  ERR_CREDENTIALS_INVALID: { status: 401, bearerError: null },
  ERR_CURRENT_PASSWORD_INVALID: { status: 403 },
  ERR_EMAIL_TAKEN: { status: 409 },
  ERR_ROLE_FORBIDDEN: { status: 403, bearerError: 'insufficient_scope' },
  ERR_CSRF_CHECK_FAILED: { status: 403 },
  ERR_RATE_LIMITED: { status: 429 },
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

function send(reply: FastifyReply, status: number, code: string, message: string) {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({ statusCode: status, code, error: STATUS_TEXT[status] ?? 'Error', message })
}

// Fixed messages for body parsing failures: a parser's own message may quote the body (Node
// 20's JSON.parse quotes a slice of it, and Fastify 4-style parsers pass that on with status
// 400), and a login body holds a password.
const BODY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'request body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported media type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'request body is empty',
}
const BODY_INVALID_MESSAGE = 'request body is not valid'

function bodyErrorMessage(error: FastifyError, code: string | undefined): string | undefined {
  if (code?.startsWith('FST_ERR_CTP_')) return BODY_MESSAGES[code] ?? BODY_INVALID_MESSAGE
  if (error instanceof SyntaxError) return BODY_INVALID_MESSAGE
  return undefined
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/**
 * Fastify error handler: coded errors from core and the demo get their status from
 * {@link STATUS_BY_CODE}, schema failures are 400s naming the field, body parsing failures
 * get a fixed message, anything else is a 500 whose details stay in the log.
 */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const code = codeOf(error)
  const mapping = code ? STATUS_BY_CODE[code as keyof typeof STATUS_BY_CODE] : undefined

  if (mapping) {
    if (mapping.bearerError !== undefined) {
      const errorParam = mapping.bearerError ? `, error="${mapping.bearerError}"` : ''
      reply.header('WWW-Authenticate', `Bearer realm="tessera"${errorParam}`)
    }
    if (mapping.clearRefreshCookie) reply.clearCookie(REFRESH_COOKIE, cookieOptions())
    if (mapping.status === 503) reply.header('Retry-After', '5')
    if (mapping.status >= 500) request.log.error({ err: error, code }, 'dependency failed')
    else request.log.info({ code }, 'request refused')
    return send(reply, mapping.status, code!, error.message)
  }

  if (error.validation) {
    return send(reply, 400, 'ERR_VALIDATION', error.message)
  }

  const status = error.statusCode
  if (status && status >= 400 && status < 500) {
    const message = bodyErrorMessage(error, code) ?? error.message
    return send(reply, status, code ?? 'ERR_REQUEST_INVALID', message)
  }

  request.log.error({ err: error }, 'unhandled error')
  return send(reply, 500, 'ERR_INTERNAL', 'internal server error')
}
