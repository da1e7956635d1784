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
