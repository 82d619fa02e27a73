/**
 * The write path: one transaction per batch of operations, each adding an audit
 * record, a transparency-log entry, or both. The log rows in `ledger_logs` are
 * locked first (FOR UPDATE on PostgreSQL, the BEGIN IMMEDIATE write lock on SQLite),
 * so sequence numbers and indices are gap-free and in commit order across processes.
 */
import { isCairnError, leafHash, signCheckpoint } from '@cairn/core';
import type { NoteSigner } from '@cairn/core';
import { CompiledQuery, fromDbBigint, fromDbBytes, toDbBytes, toDbTimestamp } from '@cairn/db';
import type { Database, Transaction } from '@cairn/db';
import { chainHash } from './audit/record.js';
import type { AuditRecordInput } from './audit/record.js';
import { auditRow } from './audit/rows.js';
import { checkpointFromRow } from './checkpoints.js';
import type { StoredCheckpoint } from './checkpoints.js';
import { LedgerError } from './errors.js';
import type { AuditTable, LedgerTables, LogName } from './schema.js';
import { BulkSql } from './bulk-sql.js';
import { appendToFrontier, foldRange } from './tlog/tree-math.js';
import type { FrontierNode } from './tlog/tree-math.js';
import { loadFrontier } from './tlog/tree-store.js';

/** One operation of a batch: an audit record, a log entry, or both (atomically). */
export interface LedgerOp {
  readonly audit?: AuditRecordInput;
  readonly entry?: Uint8Array;
}

export interface AuditAppended {
  readonly seq: number;
  readonly hash: Uint8Array;
}

export interface EntryAppended {
  readonly index: number;
  readonly leafHash: Uint8Array;
  /** True when the same entry was already in the log (its first index is returned). */
  readonly existing: boolean;
  /**
   * With `transparency.checkpointEachBatch`: the signed checkpoint of the tree right
   * after the batch that committed this entry, stored in the same transaction. For a
   * new entry it is the smallest checkpoint that covers it.
   */
  readonly checkpoint?: StoredCheckpoint;
}

/** Sign a checkpoint of the transparency log in every batch that appends to it. */
export interface BatchCheckpointOptions {
  readonly origin: string;
  readonly signer: NoteSigner;
  readonly clock: () => Date;
}

export interface LedgerOpResult {
  readonly audit?: AuditAppended;
  readonly entry?: EntryAppended;
}

const AUDIT_COLUMNS: readonly (keyof AuditTable)[] = [
  'seq',
  'time',
  'actor',
  'auth_method',
  'client_address',
  'action',
  'worker',
  'key_label',
  'request_digest',
  'response_digest',
  'decision',
  'reason',
  'details',
  'hash',
];

interface LogState {
  size: number;
  head: Uint8Array;
}

interface Grown {
  size: number;
  nodes: FrontierNode[];
  /** Whether the batch appended new leaves (size grew). */
  grew: boolean;
}

export class LedgerWriter {
  readonly #db: Database;
  readonly #checkpoints: BatchCheckpointOptions | undefined;
  readonly #bulk: BulkSql;
  #frontier: { size: number; nodes: FrontierNode[] } | undefined;

  constructor(db: Database, checkpoints?: BatchCheckpointOptions) {
    this.#db = db;
    this.#checkpoints = checkpoints;
    this.#bulk = new BulkSql(db.dialect);
  }

  /** Commit `ops` in one transaction; results in the same order. */
  async commit(ops: readonly LedgerOp[]): Promise<LedgerOpResult[]> {
    let frontier: Grown | undefined;
    const results = await this.#db.transaction<LedgerTables, LedgerOpResult[]>(
      async (trx) => {
        const wantAudit = ops.some((o) => o.audit !== undefined);
        const wantTlog = ops.some((o) => o.entry !== undefined);
        const state = await this.#lock(trx, wantAudit, wantTlog);
        const out: { audit?: AuditAppended; entry?: EntryAppended }[] = ops.map(() => ({}));
        if (wantTlog) frontier = await this.#appendEntries(trx, state.get('tlog')!, ops, out);
        const audit = wantAudit
          ? await this.#appendAudit(trx, state.get('audit')!, ops, out)
          : undefined;
        await this.#saveState(trx, frontier?.grew === true ? frontier.size : undefined, audit);
        if (frontier !== undefined && this.#checkpoints !== undefined) {
          const cp = await this.#batchCheckpoint(trx, this.#checkpoints, frontier);
          for (const o of out) {
            if (o.entry !== undefined) o.entry = { ...o.entry, checkpoint: copy(cp) };
          }
        }
        return out;
      },
      // Read committed: after the row lock is granted, every statement sees what the
      // previous holder committed (a serializable snapshot would predate the lock).
      { isolation: 'read committed' },
    );
    if (frontier !== undefined) this.#frontier = frontier;
    return results;
  }

  async #lock(
    trx: Transaction<LedgerTables>,
    audit: boolean,
    tlog: boolean,
  ): Promise<Map<LogName, LogState>> {
    const names: LogName[] = [];
    if (audit) names.push('audit');
    if (tlog) names.push('tlog');
    let q = trx
      .selectFrom('ledger_logs')
      .select(['name', 'size', 'head'])
      .where('name', 'in', names)
      .orderBy('name');
    if (this.#db.dialect === 'postgres') q = q.forUpdate();
    const rows = await q.execute();
    const state = new Map<LogName, LogState>();
    for (const r of rows) {
      state.set(r.name as LogName, {
        size: Number(fromDbBigint(r.size)),
        head: fromDbBytes(r.head),
      });
    }
    for (const n of names) {
      if (!state.has(n)) {
        throw new LedgerError(
          'NOT_A_LEDGER',
          `ledger_logs has no row for the ${n} log: the ledger migrations did not run`,
        );
      }
    }
    return state;
  }

  /**
   * The checkpoint of the tree as this batch leaves it, signed and stored inside the
   * transaction (so it costs no commit of its own). The root comes from the frontier,
   * no query. A batch that appended nothing new (duplicates only) reuses the stored
   * checkpoint of the current size, or makes one.
   */
  async #batchCheckpoint(
    trx: Transaction<LedgerTables>,
    o: BatchCheckpointOptions,
    tree: Grown,
  ): Promise<StoredCheckpoint> {
    if (!tree.grew) {
      const row = await trx
        .selectFrom('ledger_checkpoints')
        .selectAll()
        .where('log', '=', 'tlog')
        .where('size', '=', BigInt(tree.size))
        .executeTakeFirst();
      if (row !== undefined) return checkpointFromRow(row);
    }
    const root = foldRange(tree.nodes.map((n) => n.hash));
    const note = await signCheckpoint(
      { origin: o.origin, size: tree.size, rootHash: root, extensions: [] },
      [o.signer],
    );
    const cp: StoredCheckpoint = {
      log: 'tlog',
      size: tree.size,
      root,
      note,
      createdAt: o.clock(),
    };
    const insert = trx.insertInto('ledger_checkpoints').values({
      log: 'tlog',
      size: BigInt(cp.size),
      root: toDbBytes(root),
      note,
      created_at: toDbTimestamp(cp.createdAt),
    });
    if (!tree.grew) {
      // The size was committed before: another process's checkpoint() may be storing
      // its own checkpoint of it right now. Keep whichever is stored.
      await insert.onConflict((oc) => oc.columns(['log', 'size']).doNothing()).execute();
      const row = await trx
        .selectFrom('ledger_checkpoints')
        .selectAll()
        .where('log', '=', 'tlog')
        .where('size', '=', BigInt(tree.size))
        .executeTakeFirstOrThrow();
      return checkpointFromRow(row);
    }
    try {
      await insert.execute();
    } catch (err) {
      if (isCairnError(err, 'DB_CONSTRAINT') && err.details?.['kind'] === 'unique') {
        throw new LedgerError(
          'STORE_CORRUPT',
          `a transparency-log checkpoint of size ${cp.size} is already stored although the log only now reached that size: entries were removed; run cairn audit verify`,
          { cause: err },
        );
      }
      throw err;
    }
    return cp;
  }

  async #appendEntries(
    trx: Transaction<LedgerTables>,
    state: LogState,
    ops: readonly LedgerOp[],
    out: { entry?: EntryAppended }[],
  ): Promise<Grown> {
    const hashes = ops.map((o) => (o.entry === undefined ? undefined : leafHash(o.entry)));
    const wanted = [...new Set(hashes.filter((h) => h !== undefined).map(hex))];
    const known = new Map<string, number>();
    const rows = await this.#bulk.selectIn<{ idx: unknown; leaf_hash: unknown }>(
      trx,
      'ledger_tlog_leaves',
      ['idx', 'leaf_hash'],
      'leaf_hash',
      wanted.map((h) => Buffer.from(h, 'hex')),
    );
    for (const r of rows) known.set(hex(fromDbBytes(r.leaf_hash)), Number(fromDbBigint(r.idx)));
    const cached = this.#frontier;
    const frontier =
      cached?.size === state.size ? cached.nodes : await loadFrontier(trx, state.size);
    const fresh: [bigint, Buffer, Buffer][] = [];
    const freshHashes: Uint8Array[] = [];
    hashes.forEach((h, i) => {
      if (h === undefined) return;
      const key = hex(h);
      const existing = known.get(key);
      if (existing !== undefined) {
        out[i]!.entry = { index: existing, leafHash: h, existing: true };
        return;
      }
      const index = state.size + fresh.length;
      known.set(key, index);
      fresh.push([BigInt(index), toDbBytes(h), toDbBytes(ops[i]!.entry!)]);
      freshHashes.push(h);
      out[i]!.entry = { index, leafHash: h, existing: false };
    });
    if (fresh.length === 0) return { size: state.size, nodes: frontier, grew: false };
    const appended = appendToFrontier(frontier, state.size, freshHashes);
    await this.#bulk.insert(trx, 'ledger_tlog_leaves', ['idx', 'leaf_hash', 'data'], fresh);
    await this.#bulk.insert(
      trx,
      'ledger_tlog_nodes',
      ['level', 'idx', 'hash'],
      appended.nodes.map((n) => [BigInt(n.level), BigInt(n.idx), toDbBytes(n.hash)]),
    );
    return { size: state.size + fresh.length, nodes: appended.frontier, grew: true };
  }

  async #appendAudit(
    trx: Transaction<LedgerTables>,
    state: LogState,
    ops: readonly LedgerOp[],
    out: { audit?: AuditAppended }[],
  ): Promise<LogState> {
    let head = state.head;
    let seq = state.size;
    const rows: unknown[][] = [];
    ops.forEach((o, i) => {
      if (o.audit === undefined) return;
      head = chainHash(head, seq, o.audit);
      const row = auditRow(seq, o.audit, head);
      rows.push(AUDIT_COLUMNS.map((c) => row[c]));
      out[i]!.audit = { seq, hash: head };
      seq++;
    });
    await this.#bulk.insert(trx, 'ledger_audit', AUDIT_COLUMNS, rows);
    return { size: seq, head };
  }

  /** The new sizes (and audit head) in the lock rows: one statement for both logs. */
  async #saveState(
    trx: Transaction<LedgerTables>,
    tlogSize: number | undefined,
    audit: LogState | undefined,
  ): Promise<void> {
    if (tlogSize !== undefined && audit !== undefined) {
      const pg = this.#db.dialect === 'postgres';
      const text = pg
        ? `update "ledger_logs" set "size" = case "name" when 'tlog' then $1::bigint else $2::bigint end, "head" = case "name" when 'audit' then $3::bytea else "head" end where "name" in ('audit', 'tlog')`
        : `update "ledger_logs" set "size" = case "name" when 'tlog' then ? else ? end, "head" = case "name" when 'audit' then ? else "head" end where "name" in ('audit', 'tlog')`;
      await trx.executeQuery(
        CompiledQuery.raw(text, [BigInt(tlogSize), BigInt(audit.size), toDbBytes(audit.head)]),
      );
    } else if (tlogSize !== undefined) {
      await trx
        .updateTable('ledger_logs')
        .set({ size: BigInt(tlogSize) })
        .where('name', '=', 'tlog')
        .execute();
    } else if (audit !== undefined) {
      await trx
        .updateTable('ledger_logs')
        .set({ size: BigInt(audit.size), head: toDbBytes(audit.head) })
        .where('name', '=', 'audit')
        .execute();
    }
  }
}

/** Each caller gets its own copy (they may not share mutable bytes). */
function copy(cp: StoredCheckpoint): StoredCheckpoint {
  return { ...cp, root: cp.root.slice(), createdAt: new Date(cp.createdAt.getTime()) };
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
