import { BaseError } from '../errors/base-error.js';

/** Why an envelope or manifest was refused while decoding, encoding or verifying. */
export type SuitErrorCode =
  | 'SUIT_MALFORMED'
  | 'SUIT_TOO_LARGE'
  | 'SUIT_LIMIT_EXCEEDED'
  | 'SUIT_UNSUPPORTED_VERSION'
  | 'SUIT_UNSUPPORTED_ALGORITHM'
  | 'SUIT_DIGEST_MISMATCH'
  | 'SUIT_SEVERED_MISSING'
  | 'SUIT_SEVERED_UNEXPECTED'
  | 'SUIT_UNKNOWN_MEMBER'
  | 'SUIT_DELEGATION_UNSUPPORTED'
  | 'SUIT_UNKNOWN_COMMAND'
  | 'SUIT_NOT_SIGNED'
  | 'SUIT_SIGNATURE_INVALID';

export class SuitError extends BaseError<SuitErrorCode> {}

/** Shorthand for a SUIT_MALFORMED error naming where in the envelope the problem is. */
export function malformed(where: string, problem: string, cause?: unknown): SuitError {
  return new SuitError(
    'SUIT_MALFORMED',
    `${where}: ${problem}`,
    cause === undefined ? { details: { where } } : { cause, details: { where } },
  );
}
