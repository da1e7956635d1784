import type { DestinationStream, LoggerOptions } from 'pino'

/**
 * Log paths that may hold a secret. Fastify's default serializers log neither headers nor
 * bodies, so these paths guard against a route logging them by mistake.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'body.password',
  'body.currentPassword',
  'body.newPassword',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.passwordHash',
  '*.accessToken',
  '*.refreshToken',
  'accessToken',
  'refreshToken',
  'password',
]

/** pino options of the demo: level plus redaction, optionally written to `stream`. */
export function loggerOptions(
  level: string,
  stream?: DestinationStream,
): LoggerOptions & { stream?: DestinationStream } {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(stream ? { stream } : {}),
  }
}
