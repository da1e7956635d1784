import type { CookieSerializeOptions } from '@fastify/cookie'

/** Prefix of every route that reads the refresh cookie. */
export const AUTH_PREFIX = '/auth'

/** Cookie holding the refresh token. */
export const REFRESH_COOKIE = 'tessera_refresh'

/** Cookie holding the random device id the refresh token family is bound to. */
export const DEVICE_COOKIE = 'tessera_device'

/**
 * Both cookies: never readable by scripts, HTTPS only (browsers and curl treat 127.0.0.1 and
 * localhost as secure), never sent cross-site, and only sent to the auth routes.
 */
export function cookieOptions(maxAgeSeconds?: number): CookieSerializeOptions {
  return {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: AUTH_PREFIX,
    ...(maxAgeSeconds ? { maxAge: maxAgeSeconds } : {}),
  }
}
