/** Codes of the failures the demo itself raises (core's codes are in `@tessera/core`). */
export type DemoErrorCode =
  | 'ERR_AUTHENTICATION_REQUIRED'
  | 'ERR_CREDENTIALS_INVALID'
  | 'ERR_CURRENT_PASSWORD_INVALID'
  | 'ERR_EMAIL_TAKEN'
  | 'ERR_ROLE_FORBIDDEN'
  | 'ERR_CSRF_CHECK_FAILED'
  | 'ERR_DATABASE_UNAVAILABLE'
  | 'ERR_RATE_LIMITED'

/** A failure of the demo with a stable code; `error-handler.ts` maps it to an HTTP status. */
export class DemoError extends Error {
  readonly code: DemoErrorCode

  constructor(code: DemoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = 'DemoError'
  }
}
