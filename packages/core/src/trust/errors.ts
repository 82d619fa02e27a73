import { BaseError } from '../errors/base-error.js';

/** Every way a signing key or certificate chain can fail to be trusted. */
export type TrustErrorCode =
  | 'ANCHOR_INVALID'
  | 'CHAIN_EMPTY'
  | 'CHAIN_TOO_LONG'
  | 'CERT_TOO_LARGE'
  | 'CERT_MALFORMED'
  | 'SIGNATURE_ALGORITHM_UNSUPPORTED'
  | 'SIGNATURE_INVALID'
  | 'NOT_ANCHORED'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'NAME_CHAIN_MISMATCH'
  | 'UNKNOWN_CRITICAL_EXTENSION'
  | 'NOT_A_CA'
  | 'PATH_LENGTH_EXCEEDED'
  | 'KEY_USAGE_MISSING'
  | 'EKU_CODE_SIGNING_MISSING'
  | 'CERT_REVOKED'
  | 'CRL_INVALID'
  | 'CRL_EXPIRED'
  | 'KEY_NOT_PINNED'
  | 'NO_SIGNING_KEY';

/** Thrown by trust-anchor handling, chain verification and signing-key resolution. */
export class TrustError extends BaseError<TrustErrorCode> {}
