/** How the service treated a forged token. */
export type Verdict = 'accepted' | 'rejected' | 'inconclusive' | 'skipped'

/** Status codes of the two reference requests every forgery is compared with. */
export interface Baselines {
  /** Status with the valid token. */
  valid: number
  /** Status without any token. */
  unauthenticated: number
}

/** The baselines do not allow telling accepted from rejected; the message says why. */
export class ScanSetupError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ScanSetupError'
  }
}

/**
 * The request limit ran out before the baselines (and the JWKS fetch that follows them) were
 * taken, so no forgery could be judged; `neededRequests` is the least limit that takes them.
 */
export class BaselineBudgetError extends ScanSetupError {
  readonly maxRequests: number
  readonly neededRequests: number

  constructor(maxRequests: number, neededRequests: number) {
    super(
      `request limit of ${maxRequests} is too small to take the baselines; ` +
        `they alone need ${neededRequests} requests`,
    )
    this.name = 'BaselineBudgetError'
    this.maxRequests = maxRequests
    this.neededRequests = neededRequests
  }
}

/**
 * Checks that the valid token is accepted and that a request without token is answered
 * differently; otherwise no forgery result could mean anything.
 */
export function assertUsableBaselines(baselines: Baselines): void {
  if (baselines.valid === 401 || baselines.valid === 403)
    throw new ScanSetupError(
      `the valid token was refused (${baselines.valid}); is it expired or for another audience?`,
    )
  if (baselines.valid === baselines.unauthenticated)
    throw new ScanSetupError(
      `the endpoint answers ${baselines.valid} with and without a token; ` +
        'choose one that requires authentication',
    )
}

/**
 * Compares a forged request's status with the baselines, status code first: the valid
 * token's status means accepted, the unauthenticated status (or 401/403) means rejected,
 * anything else (400, 429, 5xx, no answer) is inconclusive.
 *
 * @example
 * ```ts
 * classify(200, { valid: 200, unauthenticated: 401 }) // 'accepted'
 * ```
 */
export function classify(status: number | null, baselines: Baselines): Verdict {
  if (status === null) return 'inconclusive'
  if (status === baselines.valid) return 'accepted'
  if (status === baselines.unauthenticated || status === 401 || status === 403) return 'rejected'
  return 'inconclusive'
}
