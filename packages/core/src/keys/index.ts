// Key management: generation, key sets and rotation, JWKS, import/export, key files.
export { type GenerateKeyOptions, generateKey, thumbprintOf } from './generate.js'
export {
  exportKey,
  type ImportKeyOptions,
  importKey,
  type PrivateJwk,
} from './import-export.js'
export { type Jwks, keySetFromJwks, type PublicJwk, toJwks } from './jwks.js'
export { loadKeySet, saveKeySet } from './key-file.js'
export {
  activeKey,
  assertKeySet,
  DEFAULT_RETAIN_SECONDS,
  type GenerateKeySetOptions,
  generateKeySet,
  type RotateKeySetOptions,
  rotateKeySet,
  verificationKey,
} from './key-set.js'
export { SIGNING_ALGORITHMS } from './key-type.js'
