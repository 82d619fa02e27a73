/**
 * The actions service: assign a release to a device (forced / soft / downloadonly),
 * cancel, and apply device feedback idempotently (a repeated report changes nothing).
 * Rollouts create actions through it and subscribe to status changes with `onChange`.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '@cairn/core';
import { fromDbJson, fromDbTimestamp, toDbJson, toDbTimestamp } from '@cairn/db';
import type { Selectable, Database, Transaction } from '@cairn/db';
import type { AuditSink } from '../db/audit-sink.js';
import type { ServerTables } from '../db/schema.js';
import type { DeviceService } from '../devices/devices.js';
import { Lru } from '../devices/lru.js';
import { ActionError, ReleaseError } from '../errors.js';
import type { ReleaseService } from '../releases/releases.js';
import {
  defaultMessage,
  statusForCancelFeedback,
  statusForFeedback,
  TERMINAL_STATUSES,
} from './model.js';
import type {
  Action,
  ActionStatus,
  ActionStatusEntry,
  ActionType,
  Feedback,
  MaintenanceWindow,
} from './model.js';

export interface CreateActionOptions {
  readonly type?: ActionType;
  readonly rolloutId?: string;
  readonly maintenanceWindow?: MaintenanceWindow;
  readonly actor?: string;
}

export interface FeedbackOutcome {
  readonly action: Action;
  /** False when the same report had already been applied. */
  readonly changed: boolean;
}

export type ActionListener = (action: Action, previous: ActionStatus) => void | Promise<void>;

export interface ActionServiceOptions {
  readonly db: Database;
  readonly devices: DeviceService;
  readonly releases: ReleaseService;
  readonly audit: AuditSink;
  readonly cacheSize?: number;
  readonly clock?: () => Date;
}

const ACTION_TYPES: readonly ActionType[] = ['forced', 'soft', 'downloadonly'];

export class ActionService {
  readonly #o: ActionServiceOptions;
  readonly #clock: () => Date;
  /** controllerId → its active action (null: none), for the poll path. */
  readonly #active: Lru<string, Action | null>;
  readonly #listeners = new Set<ActionListener>();
  /** Bumped on every invalidation: a lookup that raced with a write caches nothing. */
  #epoch = 0;

  constructor(o: ActionServiceOptions) {
    this.#o = o;
    this.#clock = o.clock ?? (() => new Date());
    this.#active = new Lru(o.cacheSize ?? 262_144);
    o.devices.onInvalidate((id) => {
      this.#epoch++;
      this.#active.delete(id);
    });
  }

  onChange(fn: ActionListener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  async create(
    controllerId: string,
    releaseId: number,
    opts: CreateActionOptions = {},
  ): Promise<Action> {
    const type = opts.type ?? 'forced';
    if (!ACTION_TYPES.includes(type)) {
      throw new ValidationError('action', [
        { path: 'type', problem: 'must be forced, soft or downloadonly' },
      ]);
    }
    const device = await this.#o.devices.get(controllerId);
    const release = await this.#o.releases.get(releaseId);
    if (release.productId !== device.productId) {
      throw new ReleaseError(
        'RELEASE_WRONG_PRODUCT',
        `release ${releaseId} is for product "${release.productId}", device "${controllerId}" is a "${device.productId}"`,
      );
    }
    const now = toDbTimestamp(this.#clock());
    const id = await this.#o.db.transaction<ServerTables, number>(async (trx) => {
      const open = await trx
        .selectFrom('actions')
        .select('id')
        .where('controller_id', '=', controllerId)
        .where('active', '=', 1)
        .executeTakeFirst();
      if (open !== undefined) {
        throw new ActionError(
          'ACTION_ALREADY_OPEN',
          `device "${controllerId}" already has open action ${String(open.id)}; cancel it or wait for it to finish`,
        );
      }
      const row = await trx
        .insertInto('actions')
        .values({
          controller_id: controllerId,
          release_id: releaseId,
          type,
          status: 'running',
          active: 1,
          rollout_id: opts.rolloutId ?? null,
          maintenance_window:
            opts.maintenanceWindow === undefined ? null : toDbJson(opts.maintenanceWindow),
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const aid = Number(row.id);
      await addStatus(trx, aid, 'running', ['Assignment initiated by user'], undefined, null, now);
      await this.#o.devices.setState(trx, controllerId, { state: 'pending' });
      return aid;
    });
    this.#o.devices.invalidate(controllerId);
    await this.#o.audit.record({
      actor: opts.actor ?? 'system',
      event: 'action.create',
      subject: `device:${controllerId}`,
      outcome: 'accepted',
      details: {
        actionId: id,
        releaseId,
        type,
        ...(opts.rolloutId === undefined ? {} : { rolloutId: opts.rolloutId }),
      },
    });
    return this.get(id);
  }

  async get(id: number): Promise<Action> {
    const row = await this.#o.db
      .typed<ServerTables>()
      .selectFrom('actions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (row === undefined) throw new ActionError('ACTION_NOT_FOUND', `no action ${id}`);
    return toAction(row);
  }

  /** The action if it belongs to the device; ACTION_NOT_FOUND otherwise (as hawkBit). */
  async forDevice(controllerId: string, id: number): Promise<Action> {
    const a = Number.isSafeInteger(id) ? await this.get(id).catch(() => undefined) : undefined;
    if (a?.controllerId !== controllerId) {
      throw new ActionError('ACTION_NOT_FOUND', `device "${controllerId}" has no action ${id}`);
    }
    return a;
  }

  /** The device's active action (cached; invalidated on every write for the device). */
  async active(controllerId: string): Promise<Action | undefined> {
    const hit = this.#active.get(controllerId);
    if (hit !== undefined) return hit ?? undefined;
    const epoch = this.#epoch;
    const row = await this.#o.db
      .typed<ServerTables>()
      .selectFrom('actions')
      .selectAll()
      .where('controller_id', '=', controllerId)
      .where('active', '=', 1)
      .orderBy('id')
      .executeTakeFirst();
    const a = row === undefined ? null : toAction(row);
    if (epoch === this.#epoch) this.#active.set(controllerId, a);
    return a ?? undefined;
  }

  /**
   * The poll path's synchronous fast path: the cached active action (null: none), or
   * undefined when the device's entry is not cached (then call active()).
   */
  cachedActive(controllerId: string): Action | null | undefined {
    return this.#active.get(controllerId);
  }

  /** Cache the active action (or its absence) of each given device, in one scan. */
  async preloadActive(controllerIds: readonly string[]): Promise<void> {
    const rows = await this.#o.db
      .typed<ServerTables>()
      .selectFrom('actions')
      .selectAll()
      .where('active', '=', 1)
      .orderBy('id', 'desc')
      .execute();
    const active = new Map(rows.map((r) => [r.controller_id, toAction(r)]));
    for (const id of controllerIds) this.#active.set(id, active.get(id) ?? null);
  }

  async list(opts: { controllerId?: string; rolloutId?: string } = {}): Promise<Action[]> {
    let q = this.#o.db.typed<ServerTables>().selectFrom('actions').selectAll();
    if (opts.controllerId !== undefined) q = q.where('controller_id', '=', opts.controllerId);
    if (opts.rolloutId !== undefined) q = q.where('rollout_id', '=', opts.rolloutId);
    return (await q.orderBy('id').execute()).map(toAction);
  }

  /** Status history, newest first. */
  async history(id: number, limit = 50): Promise<ActionStatusEntry[]> {
    const rows = await this.#o.db
      .typed<ServerTables>()
      .selectFrom('action_status')
      .selectAll()
      .where('action_id', '=', id)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      status: r.status as ActionStatus,
      messages: fromDbJson(r.messages) as string[],
      code: r.code === null ? undefined : Number(r.code),
      at: fromDbTimestamp(r.at),
    }));
  }

  /** Request cancellation: the device sees a cancelAction link and confirms it. */
  async cancel(id: number, actor = 'system'): Promise<Action> {
    const a = await this.get(id);
    if (!a.active || a.status === 'canceling') {
      throw new ActionError(
        'ACTION_NOT_CANCELABLE',
        `action ${id} is ${a.status} and cannot be canceled`,
      );
    }
    await this.#transition(a, 'canceling', ['Cancellation requested'], undefined, null);
    await this.#o.audit.record({
      actor,
      event: 'action.cancel',
      subject: `device:${a.controllerId}`,
      outcome: 'accepted',
      details: { actionId: id },
    });
    return this.get(id);
  }

  /** The device fetched the deployment (recorded once, like hawkBit's RETRIEVED). */
  async retrieved(a: Action): Promise<void> {
    if (!a.active) return;
    await this.#o.db.transaction(async (trx: Transaction<ServerTables>) => {
      if (await hasFingerprint(trx, a.id, 'retrieved')) return;
      await addStatus(
        trx,
        a.id,
        'retrieved',
        ['Target retrieved update action and should start now the download.'],
        undefined,
        'retrieved',
        toDbTimestamp(this.#clock()),
      );
    });
  }

  /** Apply a deploymentBase feedback. */
  feedback(controllerId: string, id: number, f: Feedback): Promise<FeedbackOutcome> {
    return this.#apply(controllerId, id, f, 'deployment');
  }

  /** Apply a cancelAction feedback. */
  cancelFeedback(controllerId: string, id: number, f: Feedback): Promise<FeedbackOutcome> {
    return this.#apply(controllerId, id, f, 'cancel');
  }

  async #apply(
    controllerId: string,
    id: number,
    f: Feedback,
    kind: 'deployment' | 'cancel',
  ): Promise<FeedbackOutcome> {
    const a = await this.forDevice(controllerId, id);
    const print = fingerprint(kind, f);
    const messages = [...f.details];
    if (f.code !== undefined) messages.push(`Device reported status code: ${f.code}`);
    if (messages.length === 0) messages.push(defaultMessage(kind, f));
    let status: ActionStatus;
    if (kind === 'deployment') status = statusForFeedback(f, a.type);
    else if (a.status !== 'canceling' && a.status !== 'canceled') {
      throw new ActionError(
        'ACTION_NOT_FOUND',
        `action ${id} of device "${controllerId}" is not being canceled`,
      );
    } else status = statusForCancelFeedback(f);
    const changed = await this.#transition(a, status, messages, f.code, print);
    return { action: await this.get(id), changed };
  }

  /** Record a status and move the action; false when `print` was already recorded. */
  async #transition(
    a: Action,
    status: ActionStatus,
    messages: readonly string[],
    code: number | undefined,
    print: string | null,
  ): Promise<boolean> {
    const now = toDbTimestamp(this.#clock());
    const previous = a.status;
    const changed = await this.#o.db.transaction<ServerTables, boolean>(async (trx) => {
      if (print !== null && (await hasFingerprint(trx, a.id, print))) return false;
      const row = await trx
        .selectFrom('actions')
        .select(['status', 'active'])
        .where('id', '=', a.id)
        .executeTakeFirstOrThrow();
      if (Number(row.active) === 0) {
        throw new ActionError(
          'ACTION_NOT_ACTIVE',
          `action ${a.id} is already ${row.status}; it takes no further feedback`,
        );
      }
      await addStatus(trx, a.id, status, messages, code, print, now);
      // Intermediate reports while a cancellation is pending keep it pending; a rejected
      // cancellation returns the action to running (hawkBit).
      let next = status;
      if (
        row.status === 'canceling' &&
        !['canceled', 'cancel_rejected', 'finished', 'error'].includes(status)
      )
        next = 'canceling';
      if (status === 'cancel_rejected') next = 'running';
      const terminal = TERMINAL_STATUSES.has(next);
      await trx
        .updateTable('actions')
        .set({ status: next, active: terminal ? 0 : 1, updated_at: now })
        .where('id', '=', a.id)
        .execute();
      if (next === 'finished') {
        await this.#o.devices.setState(
          trx,
          a.controllerId,
          a.type === 'downloadonly'
            ? { state: 'in_sync' }
            : { state: 'in_sync', installedReleaseId: a.releaseId, installedActionId: a.id },
        );
      } else if (next === 'error') {
        await this.#o.devices.setState(trx, a.controllerId, { state: 'error' });
      } else if (next === 'canceled') {
        await this.#o.devices.setState(trx, a.controllerId, { state: 'in_sync' });
      }
      return true;
    });
    if (!changed) return false;
    this.#o.devices.invalidate(a.controllerId);
    const updated = await this.get(a.id);
    for (const fn of this.#listeners) await fn(updated, previous);
    return true;
  }
}

function fingerprint(kind: string, f: Feedback): string {
  const canonical = JSON.stringify([
    kind,
    f.execution,
    f.finished,
    f.progress?.cnt ?? null,
    f.progress?.of ?? null,
    f.details,
    f.code ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

async function hasFingerprint(
  trx: Transaction<ServerTables>,
  actionId: number,
  print: string,
): Promise<boolean> {
  const hit = await trx
    .selectFrom('action_status')
    .select('id')
    .where('action_id', '=', actionId)
    .where('fingerprint', '=', print)
    .executeTakeFirst();
  return hit !== undefined;
}

async function addStatus(
  trx: Transaction<ServerTables>,
  actionId: number,
  status: ActionStatus,
  messages: readonly string[],
  code: number | undefined,
  print: string | null,
  at: string,
): Promise<void> {
  await trx
    .insertInto('action_status')
    .values({
      action_id: actionId,
      status,
      fingerprint: print,
      messages: toDbJson(messages),
      code: code ?? null,
      at,
    })
    .execute();
}

function toAction(r: Selectable<ServerTables['actions']>): Action {
  return {
    id: Number(r.id),
    controllerId: r.controller_id,
    releaseId: Number(r.release_id),
    type: r.type as ActionType,
    status: r.status as ActionStatus,
    active: Number(r.active) !== 0,
    rolloutId: r.rollout_id ?? undefined,
    maintenanceWindow:
      r.maintenance_window === null
        ? undefined
        : (fromDbJson(r.maintenance_window) as MaintenanceWindow),
    createdAt: fromDbTimestamp(r.created_at),
    updatedAt: fromDbTimestamp(r.updated_at),
  };
}
