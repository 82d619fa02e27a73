import { BaseError } from '../errors/base-error.js';

export type PolicyErrorCode = 'ROLLBACK_REJECTED' | 'ALREADY_INSTALLED' | 'INVALID_COUNTER';

/** Thrown by update policies (anti-rollback). */
export class PolicyError extends BaseError<PolicyErrorCode> {}
