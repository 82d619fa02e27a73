/**
 * The rollout engine. A rollout assigns one release to the devices of its product that
 * match a filter, group by group: a group's actions are created when it starts; when
 * `successThreshold`% of its devices finished, the next group starts; beyond
 * `errorThreshold`% failed devices the rollout pauses. Progress advances from the
 * actions service's change hook (device feedback) and from `tick(now)` (scheduled
 * starts, recovery). Every state change is a conditional update inside a transaction,
 * so concurrent evaluations (several feedbacks at once, several server processes on
 * PostgreSQL) start each group exactly once.
 */
import { fromDbJson, toDbTimestamp } from '@cairn/db';
import type { Database, Transaction } from '@cairn/db';
import type { ActionService } from '../actions/actions.js';
import type { Action, ActionStatus } from '../actions/model.js';
import { TERMINAL_STATUSES } from '../actions/model.js';
import type { AuditSink } from '../db/audit-sink.js';
import { ActionError, DeviceError } from '../errors.js';
import type { ReleaseService } from '../releases/releases.js';
import { RolloutError } from './errors.js';
import { matchesFilter, parseFilter } from './filter.js';
import { groupSizes } from './model.js';
import type { Rollout, RolloutStatus, RolloutWithGroups } from './model.js';
import { loadGroups, loadRollout, toRollout } from './store.js';
import type { Tables } from './store.js';
import { assertNewRollout } from './validate.js';

export interface RolloutServiceOptions {
  readonly db: Database;
  readonly actions: ActionService;
  readonly releases: ReleaseService;
  readonly audit: AuditSink;
  readonly clock?: () => Date;
  /** Called with errors of background progress (feedback hook, timer); default: ignore. */
  readonly onError?: (err: unknown) => void;
}

type Trx = Transaction<Tables>;

export class RolloutService {
  readonly #o: RolloutServiceOptions;
  readonly #clock: () => Date;
  #timer: NodeJS.Timeout | undefined;

  constructor(o: RolloutServiceOptions) {
    this.#o = o;
    this.#clock = o.clock ?? (() => new Date());
    o.actions.onChange((a, previous) => this.#onActionChange(a, previous));
  }

  async create(input: unknown, actor: string): Promise<RolloutWithGroups> {
    assertNewRollout(input);
    const filter = input.filter ?? '';
    const tree = parseFilter(filter);
    const release = await this.#o.releases.get(input.releaseId);
    const devices = await this.#o.db
      .typed<Tables>()
      .selectFrom('devices')
      .select(['controller_id', 'attributes'])
      .where('product_id', '=', release.productId)
      .orderBy('controller_id')
      .execute();
    const chosen = devices
      .filter((d) => matchesFilter(tree, fromDbJson(d.attributes) as Record<string, string>))
      .map((d) => d.controller_id);
    if (chosen.length === 0) {
      throw new RolloutError(
        'ROLLOUT_NO_DEVICES',
        `no device of product "${release.productId}" matches the filter "${filter}"; check the attributes with GET /api/v1/devices`,
      );
    }
    const sizes = groupSizes(chosen.length, {
      ...(input.groups === undefined ? {} : { count: input.groups }),
      ...(input.groupPercentages === undefined ? {} : { percentages: input.groupPercentages }),
    });
    const now = toDbTimestamp(this.#clock());
    const status: RolloutStatus = input.requireApproval === true ? 'waiting_for_approval' : 'ready';
    const id = await this.#o.db.transaction(async (trx: Trx) => {
      const row = await trx
        .insertInto('rollouts')
        .values({
          name: input.name,
          product_id: release.productId,
          release_id: release.id,
          filter,
          type: input.type ?? 'forced',
          status,
          success_threshold: input.successThreshold ?? 80,
          error_threshold: input.errorThreshold ?? 20,
          start_at: input.startAt === undefined ? null : toDbTimestamp(new Date(input.startAt)),
          require_approval: input.requireApproval === true ? 1 : 0,
          created_by: actor,
          approved_by: null,
          approval_remark: null,
          pause_reason: null,
          total_devices: chosen.length,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const rid = Number(row.id);
      await trx
        .insertInto('rollout_groups')
        .values(sizes.map((_, idx) => ({ rollout_id: rid, idx, status: 'ready', error_ack: 0 })))
        .execute();
      const targets: {
        rollout_id: number;
        group_idx: number;
        controller_id: string;
        action_id: null;
        skipped: null;
      }[] = [];
      let at = 0;
      sizes.forEach((size, idx) => {
        for (const controllerId of chosen.slice(at, at + size)) {
          targets.push({
            rollout_id: rid,
            group_idx: idx,
            controller_id: controllerId,
            action_id: null,
            skipped: null,
          });
        }
        at += size;
      });
      for (let i = 0; i < targets.length; i += 500) {
        await trx
          .insertInto('rollout_targets')
          .values(targets.slice(i, i + 500))
          .execute();
      }
      return rid;
    });
    await this.#audit(actor, 'rollout.create', id, {
      releaseId: release.id,
      devices: chosen.length,
      groups: sizes,
      status,
    });
    return this.get(id);
  }

  async get(id: number): Promise<RolloutWithGroups> {
    const q = this.#o.db.typed<Tables>();
    const r = await loadRollout(q, id);
    return { ...r, groups: await loadGroups(q, id) };
  }

  async list(
    opts: { status?: RolloutStatus; limit?: number; offset?: number } = {},
  ): Promise<Rollout[]> {
    let q = this.#o.db.typed<Tables>().selectFrom('rollouts').selectAll();
    if (opts.status !== undefined) q = q.where('status', '=', opts.status);
    const rows = await q
      .orderBy('id', 'desc')
      .limit(Math.min(opts.limit ?? 100, 1000))
      .offset(opts.offset ?? 0)
      .execute();
    return rows.map(toRollout);
  }

  /** Approve (or deny) a rollout waiting for approval; never by its creator. */
  async approve(
    id: number,
    actor: string,
    decision: 'approve' | 'deny' = 'approve',
    remark?: string,
  ): Promise<RolloutWithGroups> {
    const r = await this.get(id);
    if (r.createdBy === actor) {
      throw new RolloutError(
        'ROLLOUT_APPROVER_IS_CREATOR',
        `rollout ${id} was created by ${actor}, who cannot approve it; a second person must`,
      );
    }
    await this.#move(
      id,
      ['waiting_for_approval'],
      decision === 'approve' ? 'ready' : 'approval_denied',
      {
        approved_by: actor,
        approval_remark: remark ?? null,
      },
    );
    await this.#audit(actor, `rollout.${decision}`, id, remark === undefined ? {} : { remark });
    return this.get(id);
  }

  /** Start now: the first group's actions are created. */
  async start(id: number, actor: string): Promise<RolloutWithGroups> {
    await this.#move(id, ['ready'], 'starting');
    await this.#audit(actor, 'rollout.start', id);
    await this.#startFirstGroup(id, actor);
    return this.get(id);
  }

  async pause(id: number, actor: string): Promise<RolloutWithGroups> {
    await this.#move(id, ['running'], 'paused', { pause_reason: `paused by ${actor}` });
    await this.#audit(actor, 'rollout.pause', id);
    return this.get(id);
  }

  /** Resume: groups that paused the rollout by their error threshold no longer do. */
  async resume(id: number, actor: string): Promise<RolloutWithGroups> {
    await this.#o.db.transaction(async (trx: Trx) => {
      await this.#moveIn(trx, id, ['paused'], 'running', { pause_reason: null });
      await trx
        .updateTable('rollout_groups')
        .set({ error_ack: 1 })
        .where('rollout_id', '=', id)
        .where('status', '=', 'running')
        .execute();
    });
    await this.#audit(actor, 'rollout.resume', id);
    await this.evaluate(id, actor);
    return this.get(id);
  }

  /** Stop for good: open actions of the rollout are canceled (DDI cancelAction). */
  async stop(id: number, actor: string): Promise<RolloutWithGroups> {
    await this.#move(
      id,
      ['ready', 'waiting_for_approval', 'starting', 'running', 'paused'],
      'stopped',
    );
    const open = (await this.#o.actions.list({ rolloutId: String(id) })).filter(
      (a) => a.active && a.status !== 'canceling',
    );
    let canceled = 0;
    for (const a of open) {
      try {
        await this.#o.actions.cancel(a.id, actor);
        canceled++;
      } catch (err) {
        // Finished or canceled meanwhile: nothing left to cancel.
        if (!(err instanceof ActionError)) throw err;
      }
    }
    await this.#audit(actor, 'rollout.stop', id, { canceledActions: canceled });
    return this.get(id);
  }

  /**
   * Advance the rollout from its groups' counts: pause beyond the error threshold,
   * finish complete groups, start the next group at the success threshold, finish the
   * rollout after the last group. Idempotent: evaluating twice changes nothing more.
   */
  async evaluate(id: number, actor = 'system'): Promise<void> {
    // Each pass starts at most one group; a rollout has at most MAX_GROUPS groups.
    for (let pass = 0; pass < 128; pass++) {
      const next = await this.#o.db.transaction((trx: Trx) => this.#step(trx, id));
      if (next === undefined) return;
      await this.#assignGroup(id, next, actor);
    }
  }

  /** Start scheduled rollouts whose time has come and re-evaluate running ones. */
  async tick(now: Date = this.#clock()): Promise<void> {
    const q = this.#o.db.typed<Tables>();
    const due = await q
      .selectFrom('rollouts')
      .select('id')
      .where('status', '=', 'ready')
      .where('start_at', 'is not', null)
      .where('start_at', '<=', toDbTimestamp(now))
      .execute();
    for (const r of due) {
      try {
        await this.start(Number(r.id), 'scheduler');
      } catch (err) {
        if (!(err instanceof RolloutError && err.code === 'ROLLOUT_STATE_CONFLICT')) throw err;
      }
    }
    const stuck = await q
      .selectFrom('rollouts')
      .select('id')
      .where('status', 'in', ['starting', 'running'])
      .execute();
    for (const r of stuck) {
      const rolloutId = Number(r.id);
      const st = await loadRollout(q, rolloutId);
      if (st.status === 'starting') await this.#startFirstGroup(rolloutId, 'scheduler');
      else {
        // Recovery: a group marked running whose actions were not all created (crash).
        for (const g of await loadGroups(q, rolloutId)) {
          if (g.status === 'running' && g.counts.notStarted > 0)
            await this.#assignGroup(rolloutId, g.index, 'scheduler');
        }
        await this.evaluate(rolloutId, 'scheduler');
      }
    }
  }

  /** Call `tick` every `ms` (unref'd, so it never keeps the process alive). */
  startTimer(ms = 5000): void {
    this.stopTimer();
    this.#timer = setInterval(() => {
      this.tick().catch((err: unknown) => this.#o.onError?.(err));
    }, ms);
    this.#timer.unref();
  }

  stopTimer(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #onActionChange(a: Action, previous: ActionStatus): Promise<void> {
    if (a.rolloutId === undefined || !TERMINAL_STATUSES.has(a.status) || previous === a.status)
      return;
    const id = Number(a.rolloutId);
    if (!Number.isSafeInteger(id)) return;
    try {
      await this.evaluate(id);
    } catch (err) {
      // The device's report is applied; the timer retries the evaluation.
      this.#o.onError?.(err);
    }
  }

  async #startFirstGroup(id: number, actor: string): Promise<void> {
    const first = await this.#o.db.transaction(async (trx: Trx) => {
      const r = await loadRollout(trx, id);
      if (r.status !== 'starting') return undefined;
      const g = await trx
        .updateTable('rollout_groups')
        .set({ status: 'running' })
        .where('rollout_id', '=', id)
        .where('idx', '=', 0)
        .where('status', 'in', ['ready', 'scheduled'])
        .executeTakeFirst();
      await trx
        .updateTable('rollout_groups')
        .set({ status: 'scheduled' })
        .where('rollout_id', '=', id)
        .where('status', '=', 'ready')
        .execute();
      return g.numUpdatedRows > 0n ? 0 : undefined;
    });
    if (first !== undefined) await this.#assignGroup(id, first, actor);
    await this.#o.db.transaction(async (trx: Trx) => {
      await trx
        .updateTable('rollouts')
        .set({ status: 'running', updated_at: toDbTimestamp(this.#clock()) })
        .where('id', '=', id)
        .where('status', '=', 'starting')
        .execute();
    });
    await this.evaluate(id, actor);
  }

  /** One evaluation step; returns the index of a group it started, if any. */
  async #step(trx: Trx, id: number): Promise<number | undefined> {
    const r = await loadRollout(trx, id);
    if (r.status !== 'running') return undefined;
    const groups = await loadGroups(trx, id);
    const now = toDbTimestamp(this.#clock());
    for (const g of groups) {
      if (g.status !== 'running') continue;
      const c = g.counts;
      const pct = (n: number): number => (g.total === 0 ? 100 : (n * 100) / g.total);
      const complete = c.notStarted === 0 && c.running === 0;
      if (!g.errorAcknowledged && pct(c.error) > r.errorThreshold) {
        await this.#pauseIn(
          trx,
          id,
          `group ${g.index + 1}: ${c.error} of ${g.total} devices failed, above the error threshold of ${r.errorThreshold}%; resume to continue`,
          now,
        );
        return undefined;
      }
      const succeeded = pct(c.finished) >= r.successThreshold;
      if (complete) {
        await trx
          .updateTable('rollout_groups')
          .set({ status: 'finished' })
          .where('rollout_id', '=', id)
          .where('idx', '=', g.index)
          .execute();
        if (!succeeded && !g.errorAcknowledged) {
          await this.#pauseIn(
            trx,
            id,
            `group ${g.index + 1} completed with ${c.finished} of ${g.total} devices successful, below the success threshold of ${r.successThreshold}%; resume to continue`,
            now,
          );
          return undefined;
        }
      }
      if (succeeded || (complete && g.errorAcknowledged)) {
        const next = groups.find((x) => x.index === g.index + 1);
        if (next?.status === 'scheduled') {
          const res = await trx
            .updateTable('rollout_groups')
            .set({ status: 'running' })
            .where('rollout_id', '=', id)
            .where('idx', '=', next.index)
            .where('status', '=', 'scheduled')
            .executeTakeFirst();
          if (res.numUpdatedRows > 0n) return next.index;
        }
      }
    }
    const fresh = await loadGroups(trx, id);
    if (fresh.every((g) => g.status === 'finished')) {
      await trx
        .updateTable('rollouts')
        .set({ status: 'finished', updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .execute();
    }
    return undefined;
  }

  async #pauseIn(trx: Trx, id: number, reason: string, now: string): Promise<void> {
    await trx
      .updateTable('rollouts')
      .set({ status: 'paused', pause_reason: reason, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .execute();
  }

  /** Create the actions of a started group (targets without one); skip devices that cannot take one. */
  async #assignGroup(id: number, idx: number, actor: string): Promise<void> {
    const q = this.#o.db.typed<Tables>();
    const r = await loadRollout(q, id);
    const targets = await q
      .selectFrom('rollout_targets')
      .select(['id', 'controller_id'])
      .where('rollout_id', '=', id)
      .where('group_idx', '=', idx)
      .where('action_id', 'is', null)
      .where('skipped', 'is', null)
      .execute();
    for (const t of targets) {
      let actionId: number | null = null;
      let skipped: string | null = null;
      try {
        const a = await this.#o.actions.create(t.controller_id, r.releaseId, {
          type: r.type,
          rolloutId: String(id),
          actor,
        });
        actionId = a.id;
      } catch (err) {
        if (err instanceof ActionError && err.code === 'ACTION_ALREADY_OPEN') {
          // Ours from an interrupted earlier attempt, or another open action.
          const mine = (
            await this.#o.actions.list({ controllerId: t.controller_id, rolloutId: String(id) })
          ).at(-1);
          if (mine !== undefined) actionId = mine.id;
          else skipped = 'device has another open action';
        } else if (err instanceof DeviceError) skipped = 'device no longer registered';
        else throw err;
      }
      await q
        .updateTable('rollout_targets')
        .set({ action_id: actionId, skipped })
        .where('id', '=', t.id)
        .execute();
    }
  }

  async #move(
    id: number,
    from: readonly RolloutStatus[],
    to: RolloutStatus,
    extra: Partial<Record<'approved_by' | 'approval_remark' | 'pause_reason', string | null>> = {},
  ): Promise<void> {
    await this.#o.db.transaction((trx: Trx) => this.#moveIn(trx, id, from, to, extra));
  }

  async #moveIn(
    trx: Trx,
    id: number,
    from: readonly RolloutStatus[],
    to: RolloutStatus,
    extra: Partial<Record<'approved_by' | 'approval_remark' | 'pause_reason', string | null>> = {},
  ): Promise<void> {
    const res = await trx
      .updateTable('rollouts')
      .set({ status: to, updated_at: toDbTimestamp(this.#clock()), ...extra })
      .where('id', '=', id)
      .where('status', 'in', [...from])
      .executeTakeFirst();
    if (res.numUpdatedRows === 0n) {
      const r = await loadRollout(trx, id);
      throw new RolloutError(
        'ROLLOUT_STATE_CONFLICT',
        `rollout ${id} is ${r.status}; this needs it to be ${from.join(' or ')}`,
        { details: { status: r.status, expected: from } },
      );
    }
  }

  async #audit(
    actor: string,
    event: string,
    id: number,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await this.#o.audit.record({
      actor,
      event,
      subject: `rollout:${id}`,
      outcome: 'accepted',
      details,
    });
  }
}
