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
// DER reader (strict, bounded)
export { DerError } from './der/errors.js';
export type { DerErrorCode } from './der/errors.js';
export { children as derChildren, decodeDer, DerTag, readElement } from './der/reader.js';
export type { DerElement, DerLimits } from './der/reader.js';
export {
  decodeBitString,
  decodeBoolean,
  decodeInteger,
  decodeOid,
  decodeTime,
  DerSequence,
  expectTag,
  integerBytes,
  sequence as derSequence,
} from './der/values.js';
// Trust anchors, X.509 chains, revocation, key-pinned mode
export { TrustError } from './trust/errors.js';
export type { TrustErrorCode } from './trust/errors.js';
export {
  anchorFromJwk,
  anchorFromKey,
  anchorFromPem,
  anchorFromPin,
  anchorFromSpki,
  isAnchored,
  parsePin,
  spkiSha256,
  toTrustStore,
  TrustStore,
} from './trust/anchors.js';
export type { AnchorOptions, KeyAnchor, PinAnchor, TrustAnchor } from './trust/anchors.js';
export {
  hasKeyUsage,
  KeyUsageBit,
  MAX_CERT_BYTES,
  OID_EKU_CODE_SIGNING,
  parseCertificate,
} from './trust/certificate.js';
export type {
  AlgorithmIdentifier,
  CertExtension,
  KeyUsageName,
  ParsedCertificate,
} from './trust/certificate.js';
export { MAX_CRL_BYTES, parseCrl } from './trust/crl.js';
export type { ParsedCrl } from './trust/crl.js';
export { assertRevocationList, serialValue } from './trust/revocation.js';
export type { RevocationList, RevokedSerial } from './trust/revocation.js';
export { supportedSignatureAlgorithms } from './trust/signature.js';
export { CHAIN_DEFAULTS, verifyCertificateChain } from './trust/chain.js';
export type { ChainVerificationOptions, VerifiedChain } from './trust/chain.js';
export { resolveSigningKey } from './trust/resolve-key.js';
export type { ResolvedSigningKey, ResolveSigningKeyOptions } from './trust/resolve-key.js';
// Anti-rollback policy
export { checkAntiRollback, MAX_SEQUENCE_NUMBER } from './policy/anti-rollback.js';
export type { RollbackDecision } from './policy/anti-rollback.js';
export { PolicyError } from './policy/errors.js';
export type { PolicyErrorCode } from './policy/errors.js';
