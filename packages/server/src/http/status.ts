/**
 * The one table mapping error codes to HTTP statuses. Every error a route lets escape
 * goes through `errorResponse`; codes not listed are 500 (and logged by the caller).
 * Other parts of the server (rollouts, management) add their codes here.
 */
import { BaseError, ValidationError } from '@cairn/core';

export const HTTP_STATUS: Readonly<Record<string, number>> = Object.freeze({
  INVALID_INPUT: 400,
  DDI_BAD_REQUEST: 400,
  // authentication / authorization
  AUTH_REQUIRED: 401,
  AUTH_INVALID: 401,
  AUTH_FORBIDDEN: 403,
  // not found
  ARTIFACT_NOT_FOUND: 404,
  PRODUCT_NOT_FOUND: 404,
  RELEASE_NOT_FOUND: 404,
  DEVICE_NOT_FOUND: 404,
  ACTION_NOT_FOUND: 404,
  DDI_NOT_FOUND: 404,
  // conflicts
  PRODUCT_EXISTS: 409,
  DEVICE_EXISTS: 409,
  RELEASE_ARTIFACT_EXISTS: 409,
  ACTION_ALREADY_OPEN: 409,
  ACTION_NOT_CANCELABLE: 409,
  RELEASE_SEQUENCE_NOT_NEWER: 409,
  // hawkBit answers feedback on an inactive action with 410 Gone
  ACTION_NOT_ACTIVE: 410,
  // size caps
  ARTIFACT_TOO_LARGE: 413,
  RELEASE_TOO_LARGE: 413,
  ARTIFACT_RANGE_NOT_SATISFIABLE: 416,
  // refused content
  RELEASE_SIGNATURE_INVALID: 422,
  RELEASE_WRONG_PRODUCT: 422,
  RELEASE_MALFORMED: 422,
  RELEASE_PAYLOAD_INVALID: 422,
  ARTIFACT_DIGEST_INVALID: 422,
  PRODUCT_ANCHOR_INVALID: 422,
  ARTIFACT_ABORTED: 499,
  // part 2: rollouts and management API tokens
  ROLLOUT_NOT_FOUND: 404,
  TOKEN_NOT_FOUND: 404,
  ROLLOUT_FILTER_INVALID: 400,
  ROLLOUT_NO_DEVICES: 422,
  ROLLOUT_STATE_CONFLICT: 409,
  ROLLOUT_APPROVER_IS_CREATOR: 403,
});

export interface ErrorBody {
  readonly errorCode: string;
  readonly message: string;
  readonly issues?: readonly { readonly path: string; readonly problem: string }[];
}

/** Status and JSON body for an error escaping a route. */
export function errorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof BaseError) {
    const code: string = err.code as string;
    const status = HTTP_STATUS[code] ?? 500;
    const body: ErrorBody =
      err instanceof ValidationError
        ? { errorCode: code, message: err.message, issues: err.issues }
        : { errorCode: code, message: err.message };
    return { status, body };
  }
  const e = err as { statusCode?: unknown; code?: unknown; message?: unknown };
  // Fastify's own errors (bad JSON, body too large, unsupported media type) carry a 4xx.
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return {
      status: e.statusCode,
      body: {
        errorCode: typeof e.code === 'string' ? e.code : 'BAD_REQUEST',
        message: typeof e.message === 'string' ? e.message : 'bad request',
      },
    };
  }
  return {
    status: 500,
    body: { errorCode: 'INTERNAL', message: 'internal server error (see the server log)' },
  };
}
