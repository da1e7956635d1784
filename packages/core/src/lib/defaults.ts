// Defaults of {@link TesseraOptions}, in one place: resolveConfig applies them, and values
// derived from them (the key set's retain time) import them instead of repeating the numbers.
// Keep the `@default` tags in types.ts in step with these.

/** Lifetime of access tokens: 15 minutes. */
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 900

/** Clock skew tolerated on `exp`, `nbf` and `iat`. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30

/** Largest accepted access token, checked before any parsing: 8 KiB. */
export const DEFAULT_MAX_TOKEN_BYTES = 8192

/** Lifetime of one refresh token: 7 days. */
export const DEFAULT_REFRESH_TOKEN_TTL_SECONDS = 7 * 24 * 3600

/** Absolute lifetime of a token family, however often it rotates: 30 days. */
export const DEFAULT_FAMILY_LIFETIME_SECONDS = 30 * 24 * 3600

/** How long a rotated refresh token may be replayed (two tabs racing) before it is reuse. */
export const DEFAULT_ROTATION_GRACE_SECONDS = 5
