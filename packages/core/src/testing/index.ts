// @tessera/core/testing: helpers for testing Tessera and the stores built on it.

export type {
  ForgedSignature,
  ForgedToken,
  ForgeOptions,
  ForgeryId,
  TokenSigner,
} from './forge.js'
export { forgeTokens, privateKeySigner } from './forge.js'
