/** Whether a `--jwks` (or similar) value is an `http(s)` URL rather than a file path. */
export function isUrl(value: string): boolean {
  return /^https?:\/\//i.test(value)
}

/** Whether an `http(s)` URL carries a user name or password before its host. */
export function hasCredentials(value: string): boolean {
  return /^https?:\/\/[^/?#]*@/i.test(value)
}

/**
 * A file path or URL as the CLI may print it: a URL loses its credentials, query and
 * fragment, which may hold secrets (`user:password@`, `?access_token=`); a query is shown as
 * `?…` so the reader knows there was one. A file path is printed as given.
 *
 * @example
 * ```ts
 * displaySource('https://user:pw@auth.example.com/jwks.json?key=s3cret')
 * // 'https://auth.example.com/jwks.json?…'
 * ```
 */
export function displaySource(source: string): string {
  if (!isUrl(source)) return source
  try {
    const url = new URL(source)
    return `${url.origin}${url.pathname}${url.search ? '?…' : ''}`
  } catch {
    return '(an invalid URL)'
  }
}
