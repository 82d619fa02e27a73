/** Signed checkpoints of either log: made on demand or when due, stored, listed. */
import { signCheckpoint } from '@cairn/core';
import type { NoteSigner } from '@cairn/core';
import { fromDbBigint, fromDbBytes, fromDbTimestamp, toDbBytes, toDbTimestamp } from '@cairn/db';
import type { Kysely, Selectable } from '@cairn/db';
import { LedgerError } from './errors.js';
import type { CheckpointsTable, LedgerTables, LogName } from './schema.js';

export interface StoredCheckpoint {
  readonly log: LogName;
  readonly size: number;
  /** Tree root (transparency log) or chain head (audit log) at `size`. */
  readonly root: Uint8Array;
  /** The signed C2SP checkpoint note, verbatim. */
  readonly note: string;
  readonly createdAt: Date;
}

export interface LogHead {
  readonly size: number;
  readonly root: Uint8Array;
}

export function checkpointFromRow(r: Selectable<CheckpointsTable>): StoredCheckpoint {
  return {
    log: r.log as LogName,
    size: Number(fromDbBigint(r.size)),
    root: fromDbBytes(r.root),
    note: r.note,
    createdAt: fromDbTimestamp(r.created_at),
  };
}

/** The checkpoint with the largest size of `log`, if any. */
export async function latestCheckpoint(
  db: Kysely<LedgerTables>,
  log: LogName,
): Promise<StoredCheckpoint | undefined> {
  const row = await db
    .selectFrom('ledger_checkpoints')
    .selectAll()
    .where('log', '=', log)
    .orderBy('size', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : checkpointFromRow(row);
}

export interface ListCheckpointsOptions {
  /** Only checkpoints of at least this size. */
  readonly fromSize?: number;
  /** At most this many (a log with checkpointEachBatch has one per batch). */
  readonly limit?: number;
}

/** The stored checkpoints of `log`, by size (all of them unless limited). */
export async function listCheckpoints(
  db: Kysely<LedgerTables>,
  log: LogName,
  options: ListCheckpointsOptions = {},
): Promise<StoredCheckpoint[]> {
  let q = db.selectFrom('ledger_checkpoints').selectAll().where('log', '=', log);
  if (options.fromSize !== undefined) q = q.where('size', '>=', BigInt(options.fromSize));
  q = q.orderBy('size');
  if (options.limit !== undefined) q = q.limit(options.limit);
  const rows = await q.execute();
  return rows.map(checkpointFromRow);
}

/**
 * One query: the log's current size, and the checkpoint stored for exactly that size
 * if there is one (what `checkpoint()` returns when the log did not grow since).
 */
async function currentCheckpoint(
  db: Kysely<LedgerTables>,
  log: LogName,
): Promise<StoredCheckpoint | undefined> {
  const row = await db
    .selectFrom('ledger_logs as l')
    .innerJoin('ledger_checkpoints as c', (j) =>
      j.onRef('c.size', '=', 'l.size').on('c.log', '=', log),
    )
    .select(['c.log', 'c.size', 'c.root', 'c.note', 'c.created_at'])
    .where('l.name', '=', log)
    .executeTakeFirst();
  return row === undefined ? undefined : checkpointFromRow(row);
}

export interface CheckpointerOptions {
  readonly db: Kysely<LedgerTables>;
  readonly log: LogName;
  readonly origin: string;
  readonly signer: NoteSigner;
  /** The log's current size and root/head. */
  readonly head: () => Promise<LogHead>;
  readonly clock: () => Date;
  /** A checkpoint is due this long after the previous one, if the log grew. */
  readonly intervalMs: number;
}

/** Makes, signs and stores checkpoints of one log. */
export class Checkpointer {
  readonly #o: CheckpointerOptions;

  constructor(options: CheckpointerOptions) {
    this.#o = options;
  }

  get origin(): string {
    return this.#o.origin;
  }

  latest(): Promise<StoredCheckpoint | undefined> {
    return latestCheckpoint(this.#o.db, this.#o.log);
  }

  list(options?: ListCheckpointsOptions): Promise<StoredCheckpoint[]> {
    return listCheckpoints(this.#o.db, this.#o.log, options);
  }

  /** A checkpoint of the current log: the stored latest if the log has not grown. */
  async checkpoint(): Promise<StoredCheckpoint> {
    // One query when a checkpoint of the current size exists (always the case with
    // checkpointEachBatch, and after any checkpoint() until the log grows).
    const current = await currentCheckpoint(this.#o.db, this.#o.log);
    if (current !== undefined) return current;
    const latest = await this.latest();
    const head = await this.#o.head();
    if (latest !== undefined && latest.size >= head.size) {
      if (latest.size > head.size) {
        throw new LedgerError(
          'STORE_CORRUPT',
          `the ${this.#o.log} log has ${head.size} entries but a checkpoint of size ${latest.size} is stored: entries were removed; run cairn audit verify`,
        );
      }
      return latest;
    }
    return this.#make(head);
  }

  /** Make a checkpoint if the log grew and the interval since the last one has passed. */
  async maybeCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const latest = await this.latest();
    const head = await this.#o.head();
    if (latest !== undefined) {
      if (latest.size >= head.size) return undefined;
      const age = this.#o.clock().getTime() - latest.createdAt.getTime();
      if (age < this.#o.intervalMs) return undefined;
    }
    return this.#make(head);
  }

  async #make(head: LogHead): Promise<StoredCheckpoint> {
    const { db, log, origin, signer, clock } = this.#o;
    const note = await signCheckpoint(
      { origin, size: head.size, rootHash: head.root, extensions: [] },
      [signer],
    );
    await db
      .insertInto('ledger_checkpoints')
      .values({
        log,
        size: BigInt(head.size),
        root: toDbBytes(head.root),
        note,
        created_at: toDbTimestamp(clock()),
      })
      .onConflict((oc) => oc.columns(['log', 'size']).doNothing())
      .execute();
    // Another writer may have stored its own (equally valid) note for this size first.
    const row = await db
      .selectFrom('ledger_checkpoints')
      .selectAll()
      .where('log', '=', log)
      .where('size', '=', BigInt(head.size))
      .executeTakeFirstOrThrow();
    return checkpointFromRow(row);
  }
}
