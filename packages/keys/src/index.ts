// @cairn/keys public API. Explicit named exports only (no `export *`).
export { KeyError } from './errors.js';
export type { KeyErrorCode } from './errors.js';
export type {
  KeyBackend,
  KeyInfo,
  KeyStore,
  KeyStoreConfig,
  Pkcs11KeyStoreConfig,
  SoftwareKeyStoreConfig,
} from './types.js';
export { openKeyStore } from './open.js';
export {
  algorithmFor,
  defaultAlgorithm,
  isKeyType,
  KEY_TYPES,
  MAX_SIGN_INPUT,
} from './algorithms.js';
export type { AlgorithmSpec } from './algorithms.js';
export { keyTypeOfSpki, spkiSha256 } from './spki.js';
export { storeSigner } from './signer.js';
export type { Pkcs11KeyStore } from './pkcs11/store.js';
export { SoftwareKeyStore } from './software/store.js';
export { KEY_FILE_FORMAT, KEY_FILE_VERSION } from './software/format.js';
