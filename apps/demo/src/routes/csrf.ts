import type { FastifyRequest } from 'fastify'
import { DemoError } from '../errors.js'

/** Header a same-origin script adds; a cross-site form or image cannot send it. */
export const CSRF_HEADER = 'x-requested-with'

/**
 * Refuses a request that rides on the refresh cookie unless it proves to come from our own
 * pages: an `Origin` among the allowed ones, or (with no `Origin` at all, as from curl) the
 * custom `X-Requested-With` header, which browsers only send cross-site after a CORS preflight
 * that this app never grants. A foreign `Origin` is refused even with the header.
 */
export function assertSameSite(request: FastifyRequest, allowedOrigins: readonly string[]): void {
  const origin = request.headers.origin
  if (origin !== undefined) {
    if (allowedOrigins.includes(origin)) return
    throw new DemoError('ERR_CSRF_CHECK_FAILED', 'request origin is not allowed')
  }
  if (!request.headers[CSRF_HEADER]) {
    throw new DemoError(
      'ERR_CSRF_CHECK_FAILED',
      'cookie requests need an X-Requested-With header or an allowed Origin',
    )
  }
}
