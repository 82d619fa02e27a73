// @cairn/core public API. Explicit named exports only (no `export *`).
export { BaseError, isCairnError, ValidationError } from './errors/base-error.js';
export type { FieldIssue, ValidationErrorCode } from './errors/base-error.js';
export type { KeyType, SignatureAlgorithm, Signer } from './crypto/signer.js';
