import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

// Internal helpers for refresh token material. Nothing here is exported from the package.

/** Random bytes for a token id (128 bits). */
const ID_BYTES = 16
/** Random bytes for a token secret (256 bits, the floor the design asks for). */
const SECRET_BYTES = 32

const ID_LENGTH = 22
const SECRET_LENGTH = 43
const BASE64URL = /^[A-Za-z0-9_-]+$/

// Domain separation: the same server secret keys several HMACs, whose outputs must never be
// interchangeable (a device hash must not be usable as a successor secret, and so on).
const SUCCESSOR_LABEL = 'tessera/refresh-token/successor/v1\0'
const DEVICE_LABEL = 'tessera/refresh-token/device/v1\0'

/** A token as presented: the public id and the secret. */
export interface ParsedRefreshToken {
  id: string
  secret: string
}

/** A fresh random id, base64url. */
export function randomTokenId(): string {
  return randomBytes(ID_BYTES).toString('base64url')
}

/** A fresh random secret, base64url. */
export function randomSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url')
}

/** `<id>.<secret>` */
export function formatRefreshToken(id: string, secret: string): string {
  return `${id}.${secret}`
}

/** Splits `<id>.<secret>`; null when the shape is wrong. Length is checked before any regex. */
export function parseRefreshToken(token: unknown): ParsedRefreshToken | null {
  if (typeof token !== 'string' || token.length !== ID_LENGTH + 1 + SECRET_LENGTH) return null
  const id = token.slice(0, ID_LENGTH)
  const secret = token.slice(ID_LENGTH + 1)
  if (token[ID_LENGTH] !== '.' || !BASE64URL.test(id) || !BASE64URL.test(secret)) return null
  return { id, secret }
}

/** base64url SHA-256 of a secret: the only form in which a secret reaches a store. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url')
}

/** Constant-time comparison of two base64url SHA-256 hashes. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'base64url')
  const right = Buffer.from(b, 'base64url')
  // Both are SHA-256 digests of fixed length; a length mismatch means a corrupt record.
  if (left.byteLength !== right.byteLength) {
    timingSafeEqual(left, left)
    return false
  }
  return timingSafeEqual(left, right)
}

/**
 * The successor's secret, derived from the presented secret with the server key. A grace replay
 * can reproduce the identical successor token, yet the store never holds a usable secret: only
 * a holder of the predecessor's secret (and the server key) can compute it.
 */
export function deriveSuccessorSecret(key: Uint8Array, presentedSecret: string): string {
  return createHmac('sha256', key)
    .update(SUCCESSOR_LABEL)
    .update(presentedSecret, 'utf8')
    .digest('base64url')
}

/** Keyed hash of a device identifier; the raw identifier is never stored. */
export function hashDevice(key: Uint8Array, device: string | undefined): string | null {
  if (device === undefined) return null
  return createHmac('sha256', key).update(DEVICE_LABEL).update(device, 'utf8').digest('base64url')
}

// Compared against when there is no record (malformed or unknown token), so that every
// failure path performs the same hash and comparison.
const DUMMY_HASH = hashSecret(randomSecret())

/**
 * Hashes the presented secret and compares it with the stored hash in constant time. With no
 * record (malformed or unknown id), compares against a dummy hash so the work is the same.
 */
export function secretMatches(presentedSecret: string, storedHash: string | null): boolean {
  const matches = hashesEqual(hashSecret(presentedSecret), storedHash ?? DUMMY_HASH)
  return storedHash !== null && matches
}
