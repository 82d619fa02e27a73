import { BaseError } from '@cairn/core';

export type SignerErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'WORKER_NOT_FOUND'
  | 'WORKER_EXISTS'
  | 'WORKER_INVALID'
  | 'TOKEN_NOT_FOUND'
  | 'REQUEST_NOT_FOUND'
  | 'REQUEST_NOT_PENDING'
  | 'REQUEST_EXPIRED'
  | 'APPROVAL_NOT_ALLOWED'
  | 'PRODUCT_NOT_ALLOWED'
  | 'SEQUENCE_NOT_INCREASING'
  | 'FORMAT_NOT_ALLOWED'
  | 'ALGORITHM_NOT_ALLOWED'
  | 'KEY_USAGE_EXCEEDED'
  | 'KEY_NOT_VALID'
  | 'CERTIFICATE_NOT_VALID'
  | 'INPUT_INVALID'
  | 'CONFIG_INVALID'
  | 'NOT_FOUND'
  | 'INTERNAL';

/** Every error the signing service raises on purpose. */
export class SignerError extends BaseError<SignerErrorCode> {}

/** The one table mapping error codes to HTTP status (the API edge uses nothing else). */
export const HTTP_STATUS: Readonly<Record<SignerErrorCode | 'INVALID_INPUT', number>> =
  Object.freeze({
    UNAUTHENTICATED: 401,
    FORBIDDEN: 403,
    WORKER_NOT_FOUND: 404,
    WORKER_EXISTS: 409,
    WORKER_INVALID: 400,
    TOKEN_NOT_FOUND: 404,
    REQUEST_NOT_FOUND: 404,
    REQUEST_NOT_PENDING: 409,
    REQUEST_EXPIRED: 410,
    APPROVAL_NOT_ALLOWED: 403,
    PRODUCT_NOT_ALLOWED: 403,
    SEQUENCE_NOT_INCREASING: 409,
    FORMAT_NOT_ALLOWED: 403,
    ALGORITHM_NOT_ALLOWED: 403,
    KEY_USAGE_EXCEEDED: 403,
    KEY_NOT_VALID: 403,
    CERTIFICATE_NOT_VALID: 403,
    INPUT_INVALID: 400,
    INVALID_INPUT: 400,
    CONFIG_INVALID: 500,
    NOT_FOUND: 404,
    INTERNAL: 500,
  });

/** Policy codes: a denial (audited as 'denied'), not a failure. */
export const DENIAL_CODES: ReadonlySet<string> = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'APPROVAL_NOT_ALLOWED',
  'PRODUCT_NOT_ALLOWED',
  'SEQUENCE_NOT_INCREASING',
  'FORMAT_NOT_ALLOWED',
  'ALGORITHM_NOT_ALLOWED',
  'KEY_USAGE_EXCEEDED',
  'KEY_NOT_VALID',
  'CERTIFICATE_NOT_VALID',
  'REQUEST_EXPIRED',
]);
