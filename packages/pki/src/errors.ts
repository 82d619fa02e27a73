import { BaseError } from '@cairn/core';

/** Every reason the PKI refuses or fails an operation. */
export type PkiErrorCode =
  | 'PROFILE_VIOLATION'
  | 'PROFILE_UNKNOWN'
  | 'CA_NOT_FOUND'
  | 'CA_EXISTS'
  | 'CERT_NOT_FOUND'
  | 'CSR_INVALID'
  | 'ALREADY_REVOKED'
  | 'VALIDITY_EXCEEDS_CA'
  | 'CA_EXPIRED'
  | 'CA_REVOKED'
  | 'KEY_TYPE_UNSUPPORTED'
  | 'SIGNATURE_INVALID'
  | 'SERIAL_COLLISION'
  | 'PKI_NOT_INITIALIZED'
  | 'ENCODING_INVALID';

export class PkiError extends BaseError<PkiErrorCode> {}
