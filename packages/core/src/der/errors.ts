import { BaseError } from '../errors/base-error.js';

/** Why a DER byte string was refused. Every code is a strict-DER rule we enforce. */
export type DerErrorCode =
  | 'DER_TRUNCATED'
  | 'DER_INDEFINITE_LENGTH'
  | 'DER_NON_MINIMAL_LENGTH'
  | 'DER_LENGTH_TOO_LARGE'
  | 'DER_UNSUPPORTED_TAG'
  | 'DER_TRAILING_BYTES'
  | 'DER_TOO_DEEP'
  | 'DER_UNEXPECTED_TAG'
  | 'DER_INVALID_VALUE';

/** Thrown by the DER reader on any input that is not strict, bounded DER. */
export class DerError extends BaseError<DerErrorCode> {}
