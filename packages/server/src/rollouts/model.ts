/** Rollouts: one release to the devices of a product matching a filter, group by group. */
import type { ActionType } from '../actions/model.js';

/** hawkBit's RolloutStatus, lower-case. */
export type RolloutStatus =
  | 'creating'
  | 'ready'
  | 'waiting_for_approval'
  | 'approval_denied'
  | 'starting'
  | 'running'
  | 'paused'
  | 'stopped'
  | 'finished';

/** hawkBit's RolloutGroupStatus, lower-case. */
export type RolloutGroupStatus = 'ready' | 'scheduled' | 'running' | 'finished' | 'error';

/** hawkBit action types (hawkBit's "timeforced" is not offered: see README). */
export type RolloutActionType = ActionType;

export interface NewRollout {
  readonly name: string;
  readonly releaseId: number;
  /** Device attribute filter (see filter.ts); empty: every device of the product. */
  readonly filter?: string;
  /** Number of equal groups (default 1), or… */
  readonly groups?: number;
  /** …group sizes as percentages of the devices, summing to 100. */
  readonly groupPercentages?: readonly number[];
  /** % of a group's devices finished successfully before the next group starts (default 80). */
  readonly successThreshold?: number;
  /** % of a group's devices failed beyond which the rollout pauses (default 20). */
  readonly errorThreshold?: number;
  readonly type?: RolloutActionType;
  /** ISO date-time: the rollout starts by itself then (once ready). */
  readonly startAt?: string;
  /** A second person (never the creator) must approve before it can start. */
  readonly requireApproval?: boolean;
}

export interface GroupCounts {
  readonly notStarted: number;
  readonly running: number;
  readonly finished: number;
  readonly error: number;
  readonly canceled: number;
  /** Devices that could not get an action (another open action, deleted). */
  readonly skipped: number;
}

export interface RolloutGroup {
  readonly index: number;
  readonly status: RolloutGroupStatus;
  readonly total: number;
  readonly counts: GroupCounts;
  /** Set by resume after an error pause: the group no longer pauses the rollout. */
  readonly errorAcknowledged: boolean;
}

export interface Rollout {
  readonly id: number;
  readonly name: string;
  readonly productId: string;
  readonly releaseId: number;
  readonly filter: string;
  readonly type: RolloutActionType;
  readonly status: RolloutStatus;
  readonly successThreshold: number;
  readonly errorThreshold: number;
  readonly startAt: Date | undefined;
  readonly requireApproval: boolean;
  readonly createdBy: string;
  readonly approvedBy: string | undefined;
  readonly approvalRemark: string | undefined;
  readonly pauseReason: string | undefined;
  readonly totalDevices: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface RolloutWithGroups extends Rollout {
  readonly groups: readonly RolloutGroup[];
}

/** Split `n` devices into group sizes: `count` equal groups or percentages summing to 100. */
export function groupSizes(
  n: number,
  spec: { count?: number; percentages?: readonly number[] },
): number[] {
  if (spec.percentages !== undefined) {
    const sizes = spec.percentages.map((p) => Math.floor((p * n) / 100));
    const assigned = sizes.reduce((a, b) => a + b, 0);
    sizes[sizes.length - 1] = (sizes[sizes.length - 1] ?? 0) + (n - assigned);
    return sizes;
  }
  const count = spec.count ?? 1;
  const base = Math.floor(n / count);
  const extra = n % count;
  return Array.from({ length: count }, (_, i) => base + (i < extra ? 1 : 0));
}
