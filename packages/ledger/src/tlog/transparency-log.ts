/** The RFC 6962 transparency log over stored leaves and subtree hashes. */
import {
  consistencyProofRanges,
  formatTlogProof,
  inclusionProofRanges,
  ValidationError,
} from '@cairn/core';
import { fromDbBigint, fromDbBytes, toDbBytes } from '@cairn/db';
import type { Kysely } from '@cairn/db';
import type { Checkpointer, ListCheckpointsOptions, StoredCheckpoint } from '../checkpoints.js';
import { LedgerError } from '../errors.js';
import type { LedgerTables } from '../schema.js';
import type { EntryAppended, LedgerOp, LedgerOpResult } from '../writer.js';
import { assertReadRange } from '../read-range.js';
import { rangeHashes } from './tree-store.js';

export interface InclusionProofResult {
  readonly index: number;
  readonly treeSize: number;
  readonly leafHash: Uint8Array;
  readonly rootHash: Uint8Array;
  /** Audit path from the leaf's sibling up. */
  readonly proof: Uint8Array[];
}

export interface ConsistencyProofResult {
  readonly size1: number;
  readonly size2: number;
  readonly root1: Uint8Array;
  readonly root2: Uint8Array;
  readonly proof: Uint8Array[];
}

export interface LogEntry {
  readonly index: number;
  readonly leafHash: Uint8Array;
  readonly data: Uint8Array;
}

/** Most entries `entries()` returns per call. */
export const MAX_ENTRIES_PER_READ = 1000;

export interface TransparencyLogDeps {
  readonly db: Kysely<LedgerTables>;
  readonly submit: (op: LedgerOp) => Promise<LedgerOpResult>;
  readonly checkpointer: Checkpointer;
  readonly maxEntryBytes: number;
}

/** Made by `Ledger.open`; appends go through the ledger's group commit. */
export class TransparencyLog {
  readonly #d: TransparencyLogDeps;

  constructor(deps: TransparencyLogDeps) {
    this.#d = deps;
  }

  /** The log's origin (checkpoint first line). */
  get origin(): string {
    return this.#d.checkpointer.origin;
  }

  /** Append entries; resolves once all are durably committed (in one or more batches). */
  append(entries: readonly Uint8Array[]): Promise<EntryAppended[]> {
    for (const e of entries) checkEntry(e, this.#d.maxEntryBytes);
    return Promise.all(entries.map(async (entry) => (await this.#d.submit({ entry })).entry!));
  }

  /** Number of leaves committed. */
  async size(): Promise<number> {
    const row = await this.#d.db
      .selectFrom('ledger_logs')
      .select('size')
      .where('name', '=', 'tlog')
      .executeTakeFirst();
    if (row === undefined) throw notALedger();
    return Number(fromDbBigint(row.size));
  }

  /** RFC 6962 root of the tree of `treeSize` (default: the current size). */
  async root(treeSize?: number): Promise<Uint8Array> {
    const size = await this.#checkSize(treeSize);
    const [root] = await rangeHashes(this.#d.db, [{ start: 0, end: size }]);
    return root!;
  }

  /** Sign (if the tree grew) and return the latest checkpoint. */
  checkpoint(): Promise<StoredCheckpoint> {
    return this.#d.checkpointer.checkpoint();
  }

  /** The latest stored checkpoint, without signing a new one. */
  latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.#d.checkpointer.latest();
  }

  /**
   * Stored checkpoints, by size: all of them unless `fromSize`/`limit` narrow it (with
   * checkpointEachBatch there is one per batch: page through them).
   */
  checkpoints(options?: ListCheckpointsOptions): Promise<StoredCheckpoint[]> {
    return this.#d.checkpointer.list(options);
  }

  /** Make a checkpoint if one is due (log grew and the interval passed). */
  maybeCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.#d.checkpointer.maybeCheckpoint();
  }

  /** Inclusion proof of a leaf (by index or leaf hash) in the tree of `treeSize`. */
  async inclusionProof(
    leaf: number | Uint8Array,
    treeSize?: number,
  ): Promise<InclusionProofResult> {
    const index = typeof leaf === 'number' ? leaf : await this.#indexOf(leaf);
    const size = await this.#checkSize(treeSize);
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new LedgerError(
        'INDEX_OUT_OF_RANGE',
        `leaf index ${index} is not in the tree of size ${size}`,
      );
    }
    const ranges = inclusionProofRanges(index, size);
    const hashes = await rangeHashes(this.#d.db, [
      { start: index, end: index + 1 },
      { start: 0, end: size },
      ...ranges,
    ]);
    const [leafHash, rootHash, ...proof] = hashes as [Uint8Array, Uint8Array, ...Uint8Array[]];
    return { index, treeSize: size, leafHash, rootHash, proof };
  }

  /** Consistency proof between the trees of size1 and size2 (0 < size1 ≤ size2). */
  async consistencyProof(size1: number, size2?: number): Promise<ConsistencyProofResult> {
    const s2 = await this.#checkSize(size2);
    if (!Number.isSafeInteger(size1) || size1 < 1 || size1 > s2) {
      throw new LedgerError(
        'INDEX_OUT_OF_RANGE',
        `a consistency proof needs 0 < size1 ≤ size2, got ${size1} and ${s2}`,
      );
    }
    const hashes = await rangeHashes(this.#d.db, [
      { start: 0, end: size1 },
      { start: 0, end: s2 },
      ...consistencyProofRanges(size1, s2),
    ]);
    const [root1, root2, ...proof] = hashes as [Uint8Array, Uint8Array, ...Uint8Array[]];
    return { size1, size2: s2, root1, root2, proof };
  }

  /** Entries [start, end), at most MAX_ENTRIES_PER_READ. */
  async entries(start: number, end: number): Promise<LogEntry[]> {
    const size = await this.size();
    assertReadRange(start, end, size, MAX_ENTRIES_PER_READ, { items: 'entries', log: 'the log' });
    const rows = await this.#d.db
      .selectFrom('ledger_tlog_leaves')
      .selectAll()
      .where('idx', '>=', BigInt(start))
      .where('idx', '<', BigInt(end))
      .orderBy('idx')
      .execute();
    return rows.map((r) => ({
      index: Number(fromDbBigint(r.idx)),
      leafHash: fromDbBytes(r.leaf_hash),
      data: fromDbBytes(r.data),
    }));
  }

  /**
   * A c2sp.org/tlog-proof for entry `index` against the latest checkpoint (a new one
   * is signed when the latest does not cover the entry yet).
   */
  async tlogProof(index: number, extra?: Uint8Array): Promise<string> {
    let cp = await this.latestCheckpoint();
    if (cp === undefined || cp.size <= index) cp = await this.checkpoint();
    const p = await this.inclusionProof(index, cp.size);
    return formatTlogProof({
      index: p.index,
      inclusionProof: p.proof,
      checkpoint: cp.note,
      ...(extra === undefined ? {} : { extra }),
    });
  }

  async #indexOf(hash: Uint8Array): Promise<number> {
    const row = await this.#d.db
      .selectFrom('ledger_tlog_leaves')
      .select('idx')
      .where('leaf_hash', '=', toDbBytes(hash))
      .executeTakeFirst();
    if (row === undefined) {
      throw new LedgerError(
        'NOT_FOUND',
        `no entry with leaf hash ${Buffer.from(hash).toString('hex')} is in the log`,
      );
    }
    return Number(fromDbBigint(row.idx));
  }

  async #checkSize(treeSize: number | undefined): Promise<number> {
    const current = await this.size();
    if (treeSize === undefined) return current;
    if (!Number.isSafeInteger(treeSize) || treeSize < 0 || treeSize > current) {
      throw new LedgerError(
        'INDEX_OUT_OF_RANGE',
        `tree size ${treeSize} is not between 0 and the current size ${current}`,
      );
    }
    return treeSize;
  }
}

/** Check a log entry at the boundary: bytes, within the cap. */
export function checkEntry(e: unknown, max: number): asserts e is Uint8Array {
  if (!(e instanceof Uint8Array)) {
    throw new ValidationError('log entry', [{ path: '', problem: 'must be a Uint8Array' }]);
  }
  if (e.length > max) {
    throw new LedgerError(
      'ENTRY_TOO_LARGE',
      `a log entry is ${e.length} bytes, more than the cap of ${max}; log the envelope, not the payload`,
    );
  }
}

export function notALedger(): LedgerError {
  return new LedgerError(
    'NOT_A_LEDGER',
    'the database has no ledger tables: open it with Ledger.open first (or check --db)',
  );
}
