/**
 * The device registry: controller ID, product, attributes, installed release, last seen,
 * state, and the per-device TargetToken (shown once, stored as its SHA-256).
 */
import { hash, randomBytes } from 'node:crypto';
import { ValidationError } from '@cairn/core';
import type { FieldIssue } from '@cairn/core';
import { fromDbJson, fromDbTimestamp, toDbJson, toDbTimestamp } from '@cairn/db';
import type { Database, Kysely, Transaction } from '@cairn/db';
import type { ServerTables } from '../db/schema.js';
import { DeviceError } from '../errors.js';
import type { ProductService } from '../products/products.js';
import { LastSeenTracker } from './last-seen.js';
import { Lru } from './lru.js';

/** hawkBit's target update status, lower-case. */
export type DeviceState = 'registered' | 'pending' | 'in_sync' | 'error';

export interface Device {
  readonly controllerId: string;
  readonly productId: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** The server asks the device for its attributes (hawkBit configData link). */
  readonly attributesRequested: boolean;
  readonly installedReleaseId: number | undefined;
  readonly installedActionId: number | undefined;
  readonly state: DeviceState;
  readonly lastSeen: Date | undefined;
  readonly createdAt: Date;
}

export interface NewDevice {
  readonly controllerId: string;
  readonly productId: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

/** hawkBit configData update modes. */
export type AttributeMode = 'merge' | 'replace' | 'remove';

/** Controller IDs as they appear in DDI paths. */
export const CONTROLLER_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const MAX_ATTRIBUTES = 64;
const MAX_ATTR_KEY = 128;
const MAX_ATTR_VALUE = 512;

export function hashToken(token: string): string {
  // one-shot crypto.hash: about a third of createHash's cost, paid on a device's first poll
  return hash('sha256', token, 'hex');
}

export function assertAttributes(
  attrs: unknown,
  path = 'attributes',
): asserts attrs is Record<string, string> {
  const issues: FieldIssue[] = [];
  if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)) {
    throw new ValidationError(path, [{ path, problem: 'must be an object of text values' }]);
  }
  const entries = Object.entries(attrs);
  if (entries.length > MAX_ATTRIBUTES) {
    issues.push({ path, problem: `at most ${MAX_ATTRIBUTES} attributes` });
  }
  for (const [k, v] of entries) {
    if (k === '' || k.length > MAX_ATTR_KEY) {
      issues.push({
        path: `${path}.${k.slice(0, 40)}`,
        problem: `key must be 1-${MAX_ATTR_KEY} chars`,
      });
    }
    if (typeof v !== 'string' || v.length > MAX_ATTR_VALUE) {
      issues.push({
        path: `${path}.${k.slice(0, 40)}`,
        problem: `must be text of at most ${MAX_ATTR_VALUE} chars`,
      });
    }
  }
  if (issues.length > 0) throw new ValidationError(path, issues);
}

export interface DeviceServiceOptions {
  readonly db: Database;
  readonly products: ProductService;
  /** Devices kept in the token/ID caches (default 262144). */
  readonly cacheSize?: number;
  /** How often last-seen marks are written, in one transaction (default 5000 ms; 0: only on flush). */
  readonly lastSeenFlushMs?: number;
  /** A device's last_seen row is written at most once per this many seconds (default 60). */
  readonly lastSeenResolutionSeconds?: number;
  readonly clock?: () => Date;
}

/** A device's cached TargetToken: its SHA-256 hash, and the raw token once one matched it. */
interface TokenEntry {
  readonly hash: string;
  /** Created with the slot (undefined), so setting it later does not change the shape. */
  raw: string | undefined;
}

export class DeviceService {
  readonly #db: Database;
  readonly #products: ProductService;
  readonly #clock: () => Date;
  /**
   * Controller ID → its TargetToken's SHA-256 (filled in bulk by preload) and the raw
   * token last verified against it, so a device's later polls need no SHA-256. Keyed by
   * the controller ID from the request path: the poll looks up the device, its action and
   * its last-seen mark by that same string, so V8 hashes it once per poll.
   */
  readonly #tokens: Lru<string, TokenEntry>;
  readonly #byId: Lru<string, Device>;
  /** Bumped on every invalidation: a lookup that raced with a write caches nothing. */
  #epoch = 0;
  readonly #invalidated = new Set<(controllerId: string) => void>();
  readonly #capacity: number;
  readonly lastSeen: LastSeenTracker;

  constructor(o: DeviceServiceOptions) {
    this.#db = o.db;
    this.#products = o.products;
    this.#clock = o.clock ?? (() => new Date());
    this.#capacity = o.cacheSize ?? 262_144;
    this.#tokens = new Lru(this.#capacity);
    this.#byId = new Lru(this.#capacity);
    this.lastSeen = new LastSeenTracker(o.db, {
      intervalMs: o.lastSeenFlushMs ?? 5000,
      maxSlots: this.#capacity,
      clock: this.#clock,
      ...(o.lastSeenResolutionSeconds === undefined
        ? {}
        : { resolutionSeconds: o.lastSeenResolutionSeconds }),
    });
  }

  /** Register a device; returns its TargetToken, which is never shown again. */
  async add(input: NewDevice): Promise<{ device: Device; targetToken: string }> {
    const issues: FieldIssue[] = [];
    if (typeof input.controllerId !== 'string' || !CONTROLLER_ID.test(input.controllerId)) {
      issues.push({ path: 'controllerId', problem: 'must be 1-128 of [A-Za-z0-9._:-]' });
    }
    if (typeof input.productId !== 'string')
      issues.push({ path: 'productId', problem: 'required' });
    if (issues.length > 0) throw new ValidationError('device', issues);
    const attributes = input.attributes ?? {};
    assertAttributes(attributes);
    await this.#products.get(input.productId);
    const token = randomBytes(24).toString('base64url');
    const now = this.#clock();
    await this.#db.transaction(async (trx: Transaction<ServerTables>) => {
      const existing = await trx
        .selectFrom('devices')
        .select('controller_id')
        .where('controller_id', '=', input.controllerId)
        .executeTakeFirst();
      if (existing !== undefined) {
        throw new DeviceError(
          'DEVICE_EXISTS',
          `device "${input.controllerId}" is already registered`,
        );
      }
      await trx
        .insertInto('devices')
        .values(deviceRow(input.controllerId, input.productId, hashToken(token), attributes, now))
        .execute();
    });
    return { device: await this.get(input.controllerId), targetToken: token };
  }

  /**
   * Bulk registration with precomputed token hashes (fleet import, benchmarks): one
   * multi-row insert per 500 devices, all in one transaction.
   */
  async importMany(
    devices: readonly (NewDevice & { readonly tokenHash: string })[],
  ): Promise<number> {
    const now = this.#clock();
    const rows = devices.map((d) =>
      deviceRow(d.controllerId, d.productId, d.tokenHash, d.attributes ?? {}, now),
    );
    await this.#db.transaction(async (trx: Transaction<ServerTables>) => {
      // PostgreSQL allows 65535 bind parameters per statement: 10 columns × 500 rows fits.
      for (let i = 0; i < rows.length; i += 500) {
        await trx
          .insertInto('devices')
          .values(rows.slice(i, i + 500))
          .execute();
      }
    });
    return rows.length;
  }

  async get(controllerId: string): Promise<Device> {
    const d = await this.find(controllerId);
    if (d === undefined) throw new DeviceError('DEVICE_NOT_FOUND', `no device "${controllerId}"`);
    return d;
  }

  /**
   * The device, from the cache when possible, with its last poll as this process saw it
   * (the database's last_seen may trail it by the write resolution).
   */
  async find(controllerId: string): Promise<Device | undefined> {
    const hit = this.#byId.get(controllerId);
    if (hit !== undefined) return this.#withSeen(hit);
    const epoch = this.#epoch;
    const row = await this.#db
      .typed<ServerTables>()
      .selectFrom('devices')
      .selectAll()
      .where('controller_id', '=', controllerId)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const d = toDevice(row);
    if (epoch === this.#epoch) this.#byId.set(controllerId, d);
    return this.#withSeen(d);
  }

  /** `d` with the later of its stored last_seen and this process's last-seen mark. */
  #withSeen(d: Device): Device {
    const seen = this.lastSeen.seen(d.controllerId);
    return seen !== undefined && (d.lastSeen === undefined || seen > d.lastSeen)
      ? { ...d, lastSeen: seen }
      : d;
  }

  /** How many devices the device cache holds (the /metrics gauge). */
  cachedCount(): number {
    return this.#byId.size;
  }

  /** The device if it is cached (the poll path's synchronous fast path), else undefined. */
  cached(controllerId: string): Device | undefined {
    return this.#byId.get(controllerId);
  }

  /**
   * Fill the caches with up to `limit` devices (default: the cache size) in one scan,
   * so the first poll of each device after a restart needs no query.
   */
  async preload(limit = this.#capacity): Promise<string[]> {
    const rows = await this.#db
      .typed<ServerTables>()
      .selectFrom('devices')
      .selectAll()
      .orderBy('controller_id')
      .limit(limit)
      .execute();
    for (const r of rows) {
      this.#byId.set(r.controller_id, toDevice(r));
      if (r.token_hash !== null)
        this.#tokens.set(r.controller_id, { hash: r.token_hash, raw: undefined });
    }
    return rows.map((r) => r.controller_id);
  }

  /**
   * Whether `token` is the TargetToken of `controllerId`, if the caches can tell: true
   * or false, or undefined when the device's token hash is not cached (then the caller
   * asks the database). A token seen and verified before is compared raw, in constant
   * time; any other is hashed and checked against the cached hash (and cached raw when it
   * matches).
   */
  cachedTokenMatches(controllerId: string, token: string): boolean | undefined {
    const t = this.#tokens.get(controllerId);
    if (t === undefined) return undefined;
    if (t.raw !== undefined && constantTimeEqual(t.raw, token)) return true;
    if (!constantTimeEqual(t.hash, hashToken(token))) return false;
    t.raw = token;
    return true;
  }

  /** Whether `token` is the TargetToken of `controllerId` (the caches, else the database). */
  async tokenMatches(controllerId: string, token: string): Promise<boolean> {
    const cached = this.cachedTokenMatches(controllerId, token);
    if (cached !== undefined) return cached;
    const epoch = this.#epoch;
    const row = await this.#db
      .typed<ServerTables>()
      .selectFrom('devices')
      .select('token_hash')
      .where('controller_id', '=', controllerId)
      .executeTakeFirst();
    if (row === undefined || row.token_hash === null) return false;
    const t: TokenEntry = { hash: row.token_hash, raw: undefined };
    if (epoch === this.#epoch) this.#tokens.set(controllerId, t);
    if (!constantTimeEqual(t.hash, hashToken(token))) return false;
    t.raw = token;
    return true;
  }

  async list(
    opts: { productId?: string; limit?: number; offset?: number } = {},
  ): Promise<Device[]> {
    let q = this.#db.typed<ServerTables>().selectFrom('devices').selectAll();
    if (opts.productId !== undefined) q = q.where('product_id', '=', opts.productId);
    const rows = await q
      .orderBy('controller_id')
      .limit(Math.min(opts.limit ?? 100, 1000))
      .offset(opts.offset ?? 0)
      .execute();
    return rows.map((r) => this.#withSeen(toDevice(r)));
  }

  /** hawkBit configData: merge (default), replace or remove attributes. */
  async updateAttributes(
    controllerId: string,
    data: unknown,
    mode: AttributeMode = 'merge',
  ): Promise<Device> {
    assertAttributes(data, 'data');
    await this.#db.transaction(async (trx: Transaction<ServerTables>) => {
      const row = await trx
        .selectFrom('devices')
        .select('attributes')
        .where('controller_id', '=', controllerId)
        .executeTakeFirst();
      if (row === undefined)
        throw new DeviceError('DEVICE_NOT_FOUND', `no device "${controllerId}"`);
      const current = fromDbJson(row.attributes) as Record<string, string>;
      let next: Record<string, string>;
      if (mode === 'replace') next = { ...data };
      else if (mode === 'remove') {
        const drop = new Set(Object.keys(data));
        next = Object.fromEntries(Object.entries(current).filter(([k]) => !drop.has(k)));
      } else next = { ...current, ...data };
      assertAttributes(next);
      await trx
        .updateTable('devices')
        .set({ attributes: toDbJson(next), attributes_requested: 0 })
        .where('controller_id', '=', controllerId)
        .execute();
    });
    this.invalidate(controllerId);
    return this.get(controllerId);
  }

  /** Record the outcome of an update (called by the actions service inside its transaction). */
  async setState(
    trx: Transaction<ServerTables> | Kysely<ServerTables>,
    controllerId: string,
    patch: { state: DeviceState; installedReleaseId?: number; installedActionId?: number },
  ): Promise<void> {
    await trx
      .updateTable('devices')
      .set({
        state: patch.state,
        ...(patch.installedReleaseId === undefined
          ? {}
          : { installed_release_id: patch.installedReleaseId }),
        ...(patch.installedActionId === undefined
          ? {}
          : { installed_action_id: patch.installedActionId }),
      })
      .where('controller_id', '=', controllerId)
      .execute();
  }

  /** Mark a poll (written in the next batch). */
  touch(controllerId: string): void {
    this.lastSeen.mark(controllerId, this.#clock());
  }

  /** Drop cached state of a device after a write (also tells subscribers, e.g. DDI caches). */
  invalidate(controllerId: string): void {
    this.#epoch++;
    this.#byId.delete(controllerId);
    this.#tokens.delete(controllerId);
    for (const fn of this.#invalidated) fn(controllerId);
  }

  onInvalidate(fn: (controllerId: string) => void): void {
    this.#invalidated.add(fn);
  }

  async close(): Promise<void> {
    await this.lastSeen.close();
  }
}

function deviceRow(
  controllerId: string,
  productId: string,
  tokenHash: string,
  attributes: Readonly<Record<string, string>>,
  now: Date,
): ServerTables['devices'] {
  return {
    controller_id: controllerId,
    product_id: productId,
    token_hash: tokenHash,
    attributes: toDbJson(attributes),
    attributes_requested: 1,
    installed_release_id: null,
    installed_action_id: null,
    state: 'registered',
    last_seen: null,
    created_at: toDbTimestamp(now),
  };
}

function toDevice(r: ServerTables['devices']): Device {
  return {
    controllerId: r.controller_id,
    productId: r.product_id,
    attributes: fromDbJson(r.attributes) as Record<string, string>,
    attributesRequested: Number(r.attributes_requested) !== 0,
    installedReleaseId:
      r.installed_release_id === null ? undefined : Number(r.installed_release_id),
    installedActionId: r.installed_action_id === null ? undefined : Number(r.installed_action_id),
    state: r.state as DeviceState,
    lastSeen: r.last_seen === null ? undefined : fromDbTimestamp(r.last_seen),
    createdAt: fromDbTimestamp(r.created_at),
  };
}

/**
 * String equality whose time depends only on the lengths, not on where the strings first
 * differ (TargetTokens and their hashes are compared with it).
 */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
