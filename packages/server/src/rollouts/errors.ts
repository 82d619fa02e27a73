/** Typed errors of rollouts (codes mapped to HTTP statuses in http/status.ts). */
import { BaseError } from '@cairn/core';

export type RolloutErrorCode =
  | 'ROLLOUT_NOT_FOUND'
  | 'ROLLOUT_FILTER_INVALID'
  | 'ROLLOUT_NO_DEVICES'
  | 'ROLLOUT_STATE_CONFLICT'
  | 'ROLLOUT_APPROVER_IS_CREATOR';
export class RolloutError extends BaseError<RolloutErrorCode> {}
