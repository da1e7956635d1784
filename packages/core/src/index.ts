// The public surface of @tessera/core, reviewable in one screen: explicit named
// re-exports only, types marked as such.

export type { TokenErrorCode } from './errors.js'
export {
  InvalidClaimsError,
  InvalidHeaderError,
  InvalidRefreshTokenError,
  InvalidSignatureError,
  KeySetError,
  MalformedTokenError,
  RefreshTokenReuseError,
  RevocationUnavailableError,
  StoreUnavailableError,
  TokenError,
  TokenExpiredError,
  TokenRevokedError,
} from './errors.js'
export type { GenerateKeyOptions } from './keys/generate.js'
export { generateKey, thumbprintOf } from './keys/generate.js'
export type { ImportKeyOptions, PrivateJwk } from './keys/import-export.js'
export { exportKey, importKey } from './keys/import-export.js'
export type { Jwks, PublicJwk } from './keys/jwks.js'
export { keySetFromJwks, toJwks } from './keys/jwks.js'
export { loadKeySet, saveKeySet } from './keys/key-file.js'
export type { GenerateKeySetOptions, RotateKeySetOptions } from './keys/key-set.js'
export {
  activeKey,
  assertKeySet,
  DEFAULT_RETAIN_SECONDS,
  generateKeySet,
  rotateKeySet,
  verificationKey,
} from './keys/key-set.js'
export { SIGNING_ALGORITHMS } from './keys/key-type.js'
export type { MemoryStores } from './stores/memory.js'
export { createMemoryStores } from './stores/memory.js'
export type { MemoryDenylistOptions } from './stores/memory-denylist.js'
export { createMemoryDenylist } from './stores/memory-denylist.js'
export { createMemoryRefreshTokenStore } from './stores/memory-refresh-token-store.js'
export { createMemoryTokenVersionStore } from './stores/memory-token-version-store.js'
export type { Tessera } from './tessera.js'
export { createTessera } from './tessera.js'

export type {
  AccessTokenClaims,
  Denylist,
  IssuedAccessToken,
  KeySet,
  KeyState,
  ManagedKey,
  RefreshTokenOptions,
  RefreshTokenRecord,
  RefreshTokenStore,
  RotateOutcome,
  RotateRequest,
  SigningAlgorithm,
  TesseraEvent,
  TesseraOptions,
  TokenPair,
  TokenVersionStore,
  VerifiedAccessToken,
  VerifyOptions,
} from './types.js'
