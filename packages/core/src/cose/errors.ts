import { BaseError } from '../errors/base-error.js';

/**
 * Why a COSE message or a signature was refused.
 *
 * - `COSE_MALFORMED`: not a well-formed COSE_Sign1 (wrong CBOR shape, wrong tag, too large).
 * - `HEADER_INVALID`: a header parameter is missing, of the wrong type, in the wrong bucket,
 *   present in both buckets, or listed in `crit` without being understood.
 * - `ALG_UNSUPPORTED`: an algorithm (or key type) Cairn does not implement.
 * - `ALG_NOT_ALLOWED`: a supported algorithm the caller's policy does not accept.
 * - `ALG_KEY_MISMATCH`: the key cannot be used with the algorithm (e.g. ES384 with a P-256 key).
 * - `SIGNATURE_INVALID`: the signature does not verify (or is not even of the right shape).
 * - `PAYLOAD_MISSING`: a detached payload was needed and not given (or given twice).
 * - `KEY_INVALID`: the key material given could not be parsed as a key of the right kind.
 */
export type CoseErrorCode =
  | 'COSE_MALFORMED'
  | 'ALG_UNSUPPORTED'
  | 'ALG_NOT_ALLOWED'
  | 'ALG_KEY_MISMATCH'
  | 'SIGNATURE_INVALID'
  | 'PAYLOAD_MISSING'
  | 'HEADER_INVALID'
  | 'KEY_INVALID';

export class CoseError extends BaseError<CoseErrorCode> {}
