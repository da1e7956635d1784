// @tessera/core/testing: helpers for testing Tessera and the stores built on it.

export type {
  ForgedSignature,
  ForgedToken,
  ForgeOptions,
  ForgeryId,
  TokenSigner,
} from './forge.js'
export { forgeTokens, privateKeySigner } from './forge.js'
export { createTestRefreshTokenRecord } from './refresh-token-record.js'
export type {
  ContractSetup,
  ContractSetupContext,
  ContractSetupResult,
  ContractStores,
  StoreContractOptions,
} from './store-contract.js'
export { runStoreContract } from './store-contract.js'
export type { TestClock } from './test-clock.js'
export { createTestClock } from './test-clock.js'
