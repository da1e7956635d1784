import { RevocationUnavailableError } from '@tessera/core'
import type { UnavailablePolicy } from './options.js'

/** A revocation read (denylist `has`, token version `get`) under the `onUnavailable` policy. */
export type RevocationRead = <T>(
  read: () => Promise<T>,
  fallback: T,
  onFailOpen?: () => void,
) => Promise<T>

/**
 * The outage policy of the revocation reads, in one place for every store. The returned
 * function runs `read`; when it fails (Redis unreachable or too slow), it throws core's
 * `RevocationUnavailableError` when failing closed, and when failing open calls `onFailOpen`
 * and answers `fallback`. Errors `onFailOpen` throws are swallowed: an audit hook must never
 * change the outcome of a check. Throws a `TypeError` for an unknown policy.
 */
export function createRevocationRead(policy: UnavailablePolicy | undefined): RevocationRead {
  const resolved = policy ?? 'fail-closed'
  if (resolved !== 'fail-closed' && resolved !== 'fail-open') {
    throw new TypeError("`onUnavailable` must be 'fail-closed' or 'fail-open'")
  }

  return async (read, fallback, onFailOpen) => {
    try {
      return await read()
    } catch (error) {
      if (resolved === 'fail-closed') throw new RevocationUnavailableError({ cause: error })
      try {
        onFailOpen?.()
      } catch {
        // Swallowed on purpose, see above.
      }
      return fallback
    }
  }
}
