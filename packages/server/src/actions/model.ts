/** Actions: one release to install on one device, with hawkBit's action states. */

/** forced / soft (hawkBit "attempt") / downloadonly (download, never install). */
export type ActionType = 'forced' | 'soft' | 'downloadonly';

/**
 * hawkBit action statuses (lower-case). An action is active until it is finished,
 * error or canceled.
 */
export type ActionStatus =
  | 'running'
  | 'retrieved'
  | 'scheduled'
  | 'download'
  | 'downloaded'
  | 'warning'
  | 'canceling'
  | 'cancel_rejected'
  | 'canceled'
  | 'finished'
  | 'error';

export const TERMINAL_STATUSES: ReadonlySet<ActionStatus> = new Set([
  'finished',
  'error',
  'canceled',
]);

/** DDI feedback execution values. */
export type FeedbackExecution =
  | 'closed'
  | 'proceeding'
  | 'canceled'
  | 'scheduled'
  | 'rejected'
  | 'resumed'
  | 'downloaded'
  | 'download';

export type FeedbackResult = 'success' | 'failure' | 'none';

/** A device's report, normalised from either DDI body (current or legacy). */
export interface Feedback {
  readonly execution: FeedbackExecution;
  readonly finished: FeedbackResult;
  readonly progress?: { readonly cnt: number; readonly of?: number };
  readonly details: readonly string[];
  readonly code?: number;
}

export interface MaintenanceWindow {
  readonly available: boolean;
}

export interface Action {
  readonly id: number;
  readonly controllerId: string;
  readonly releaseId: number;
  readonly type: ActionType;
  readonly status: ActionStatus;
  readonly active: boolean;
  readonly rolloutId: string | undefined;
  readonly maintenanceWindow: MaintenanceWindow | undefined;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface ActionStatusEntry {
  readonly status: ActionStatus;
  readonly messages: readonly string[];
  readonly code: number | undefined;
  readonly at: Date;
}

/** The status a deployment feedback moves an action to (hawkBit's DdiRootController). */
export function statusForFeedback(f: Feedback, type: ActionType): ActionStatus {
  switch (f.execution) {
    case 'canceled':
      return 'canceled';
    case 'rejected':
      return 'warning';
    case 'closed':
      return f.finished === 'failure' ? 'error' : 'finished';
    case 'download':
      return 'download';
    case 'downloaded':
      // A download-only action is complete once the device has the artifacts.
      return type === 'downloadonly' ? 'finished' : 'downloaded';
    default:
      return 'running';
  }
}

/** The status a cancel feedback moves an action to (hawkBit's cancel handling). */
export function statusForCancelFeedback(f: Feedback): ActionStatus {
  switch (f.execution) {
    case 'rejected':
      return 'cancel_rejected';
    case 'closed':
      return f.finished === 'failure' ? 'cancel_rejected' : 'canceled';
    case 'canceled':
      return 'warning';
    default:
      return 'canceling';
  }
}

/** The default message hawkBit records when a report carries no details. */
export function defaultMessage(kind: 'deployment' | 'cancel', f: Feedback): string {
  if (kind === 'cancel') return `Target reported ${f.execution} for the cancellation`;
  if (f.execution === 'closed') {
    return f.finished === 'failure'
      ? 'Target reported CLOSED with ERROR!'
      : 'Target reported CLOSED with OK!';
  }
  return `Target reported ${f.execution}`;
}
