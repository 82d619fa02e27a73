/** Rollout rows ↔ domain objects, and the per-group action counts. */
import { fromDbTimestamp, sql } from '@cairn/db';
import type { Kysely, Selectable, Transaction } from '@cairn/db';
import type { ServerTables } from '../db/schema.js';
import type { ManagementTables } from '../management/schema.js';
import { RolloutError } from './errors.js';
import type {
  GroupCounts,
  Rollout,
  RolloutActionType,
  RolloutGroup,
  RolloutGroupStatus,
  RolloutStatus,
} from './model.js';

export type Tables = ServerTables & ManagementTables;
export type Q = Kysely<Tables> | Transaction<Tables>;

export function toRollout(r: Selectable<ManagementTables['rollouts']>): Rollout {
  return {
    id: Number(r.id),
    name: r.name,
    productId: r.product_id,
    releaseId: Number(r.release_id),
    filter: r.filter,
    type: r.type as RolloutActionType,
    status: r.status as RolloutStatus,
    successThreshold: Number(r.success_threshold),
    errorThreshold: Number(r.error_threshold),
    startAt: r.start_at === null ? undefined : fromDbTimestamp(r.start_at),
    requireApproval: Number(r.require_approval) !== 0,
    createdBy: r.created_by,
    approvedBy: r.approved_by ?? undefined,
    approvalRemark: r.approval_remark ?? undefined,
    pauseReason: r.pause_reason ?? undefined,
    totalDevices: Number(r.total_devices),
    createdAt: fromDbTimestamp(r.created_at),
    updatedAt: fromDbTimestamp(r.updated_at),
  };
}

export async function loadRollout(q: Q, id: number): Promise<Rollout> {
  const row = await q.selectFrom('rollouts').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) {
    throw new RolloutError(
      'ROLLOUT_NOT_FOUND',
      `no rollout ${id}; list them with GET /api/v1/rollouts`,
    );
  }
  return toRollout(row);
}

const EMPTY: GroupCounts = {
  notStarted: 0,
  running: 0,
  finished: 0,
  error: 0,
  canceled: 0,
  skipped: 0,
};

/** Groups of a rollout with their devices counted by action state. */
export async function loadGroups(q: Q, rolloutId: number): Promise<RolloutGroup[]> {
  const groups = await q
    .selectFrom('rollout_groups')
    .selectAll()
    .where('rollout_id', '=', rolloutId)
    .orderBy('idx')
    .execute();
  const rows = await q
    .selectFrom('rollout_targets as t')
    .leftJoin('actions as a', 'a.id', 't.action_id')
    .select([
      't.group_idx as g',
      'a.status as status',
      sql<number | string>`case when t.skipped is null then 0 else 1 end`.as('skipped'),
      sql<number | string | bigint>`count(*)`.as('n'),
    ])
    .where('t.rollout_id', '=', rolloutId)
    .groupBy(['t.group_idx', 'a.status', sql`case when t.skipped is null then 0 else 1 end`])
    .execute();
  const counts = new Map<number, Record<keyof GroupCounts, number>>();
  for (const r of rows) {
    const g = Number(r.g);
    const c = counts.get(g) ?? { ...EMPTY };
    const n = Number(r.n);
    if (Number(r.skipped) !== 0) c.skipped += n;
    else if (r.status === null) c.notStarted += n;
    else if (r.status === 'finished') c.finished += n;
    else if (r.status === 'error') c.error += n;
    else if (r.status === 'canceled') c.canceled += n;
    else c.running += n;
    counts.set(g, c);
  }
  return groups.map((g) => {
    const c = counts.get(Number(g.idx)) ?? { ...EMPTY };
    return {
      index: Number(g.idx),
      status: g.status as RolloutGroupStatus,
      total: c.notStarted + c.running + c.finished + c.error + c.canceled + c.skipped,
      counts: c,
      errorAcknowledged: Number(g.error_ack) !== 0,
    };
  });
}
