// @cairn/core public API. Explicit named exports only (no `export *`).
export { BaseError, isCairnError, ValidationError } from './errors/base-error.js';
export type { FieldIssue, ValidationErrorCode } from './errors/base-error.js';
export type { KeyType, SignatureAlgorithm, Signer } from './crypto/signer.js';
export {
  CborError,
  CborMap,
  CborSimple,
  CborTag,
  decodeCbor,
  decodeCborPrefix,
  encodeCbor,
} from './cbor/index.js';
export type { CborErrorCode, CborValue, DecodeOptions, EncodeOptions } from './cbor/index.js';
