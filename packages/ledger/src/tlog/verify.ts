/**
 * Transparency log verification: recompute the tree from the stored leaves, check
 * every leaf hash, every stored subtree hash, the stored size, and the root and
 * signature of every stored checkpoint.
 */
import { emptyRoot, leafHash } from '@cairn/core';
import type { Checkpoint, NoteVerifier } from '@cairn/core';
import { fromDbBigint, fromDbBytes } from '@cairn/db';
import type { Database, Kysely } from '@cairn/db';
import { bytesEqualPublic } from '../bytes.js';
import { TlogVerifyError } from '../errors.js';
import type { LedgerTables } from '../schema.js';
import { readCheckpoint } from '../verify-checkpoint.js';
import { appendToFrontier, foldRange, nodeKey } from './tree-math.js';
import type { FrontierNode } from './tree-math.js';
import { notALedger } from './transparency-log.js';

export interface VerifyTransparencyLogOptions {
  readonly db: Database;
  /** The log's note verifier; stored checkpoint signatures are checked when given. */
  readonly verifier?: NoteVerifier;
  readonly origin?: string;
}

export interface TransparencyVerification {
  readonly size: number;
  readonly root: Uint8Array;
  readonly checkpointsChecked: number;
  readonly signaturesChecked: boolean;
}

const PAGE = 2000;

/**
 * The stored checkpoints of the transparency log in size order, read a page at a time
 * (each parsed and, with a verifier, its signature checked as it is read).
 */
class CheckpointPages {
  readonly #db: Kysely<LedgerTables>;
  readonly #o: VerifyTransparencyLogOptions;
  #buf: Checkpoint[] = [];
  #at = 0;
  #after = -1n;
  #done = false;
  consumed = 0;

  constructor(db: Kysely<LedgerTables>, o: VerifyTransparencyLogOptions) {
    this.#db = db;
    this.#o = o;
  }

  peek(): Checkpoint | undefined {
    return this.#buf[this.#at];
  }

  next(): void {
    this.#at++;
    this.consumed++;
  }

  /** Read pages until the buffer holds every checkpoint of size ≤ `size` (or more). */
  async loadUpTo(size: number): Promise<void> {
    while (!this.#done && (this.#buf.length === 0 || this.#buf.at(-1)!.size <= size)) {
      const rows = await this.#db
        .selectFrom('ledger_checkpoints')
        .select(['size', 'note'])
        .where('log', '=', 'tlog')
        .where('size', '>', this.#after)
        .orderBy('size')
        .limit(PAGE)
        .execute();
      if (rows.length < PAGE) this.#done = true;
      if (rows.length === 0) break;
      this.#buf = this.#buf.slice(this.#at);
      this.#at = 0;
      for (const r of rows) {
        const read = readCheckpoint(r.note, this.#o);
        if ('problem' in read) {
          throw new TlogVerifyError(
            'CHECKPOINT_INVALID',
            `the stored checkpoint of size ${fromDbBigint(r.size)} was refused: ${read.problem}`,
          );
        }
        if (BigInt(read.checkpoint.size) !== fromDbBigint(r.size)) {
          throw new TlogVerifyError(
            'CHECKPOINT_INVALID',
            `the stored checkpoint of size ${fromDbBigint(r.size)} holds a note of size ${read.checkpoint.size}: the row was altered`,
          );
        }
        this.#buf.push(read.checkpoint);
      }
      this.#after = fromDbBigint(rows.at(-1)!.size);
    }
  }
}

export async function verifyTransparencyLog(
  o: VerifyTransparencyLogOptions,
): Promise<TransparencyVerification> {
  const db = o.db.typed<LedgerTables>();
  const state = await db
    .selectFrom('ledger_logs')
    .select('size')
    .where('name', '=', 'tlog')
    .executeTakeFirst()
    .catch((cause: unknown) => {
      throw Object.assign(notALedger(), { cause });
    });
  if (state === undefined) throw notALedger();
  const checkpoints = new CheckpointPages(db, o);
  const checkRoots = (n: number, frontier: readonly FrontierNode[]): void => {
    for (let cp = checkpoints.peek(); cp !== undefined && cp.size === n; cp = checkpoints.peek()) {
      checkpoints.next();
      const root = n === 0 ? emptyRoot() : foldRange(frontier.map((f) => f.hash));
      if (!bytesEqualPublic(root, cp.rootHash)) {
        throw new TlogVerifyError(
          'CHECKPOINT_MISMATCH',
          `the checkpoint of size ${n} has a root the leaves do not give: the log was rewritten after it was signed`,
          { details: { size: n } },
        );
      }
    }
  };

  let frontier: FrontierNode[] = [];
  let n = 0;
  let nodesSeen = 0;
  await checkpoints.loadUpTo(0);
  checkRoots(0, frontier);
  for (;;) {
    const rows = await db
      .selectFrom('ledger_tlog_leaves')
      .selectAll()
      .where('idx', '>=', BigInt(n))
      .orderBy('idx')
      .limit(PAGE)
      .execute();
    if (rows.length === 0) break;
    // Checkpoints are read page by page too: a log with checkpointEachBatch has one per
    // batch, far too many to hold at once.
    await checkpoints.loadUpTo(n + rows.length);
    const expected: FrontierNode[] = [];
    for (const row of rows) {
      const idx = Number(fromDbBigint(row.idx));
      if (idx !== n) {
        throw new TlogVerifyError(
          'LEAF_MISSING',
          `leaf ${n} is missing (the next stored leaf is ${idx})`,
          {
            details: { index: n },
          },
        );
      }
      const h = leafHash(fromDbBytes(row.data));
      if (!bytesEqualPublic(h, fromDbBytes(row.leaf_hash))) {
        throw new TlogVerifyError(
          'LEAF_HASH_MISMATCH',
          `leaf ${n}'s stored hash is not the hash of its data: the entry or its hash was edited`,
          { details: { index: n } },
        );
      }
      const step = appendToFrontier(frontier, n, [h]);
      frontier = step.frontier;
      expected.push(...step.nodes);
      n++;
      checkRoots(n, frontier);
    }
    nodesSeen += await compareNodes(db, expected);
  }
  if (n !== Number(fromDbBigint(state.size))) {
    throw new TlogVerifyError(
      'STATE_MISMATCH',
      `the log holds ${n} leaves but its stored size is ${fromDbBigint(state.size)}`,
      { details: { size: n } },
    );
  }
  const count = await db
    .selectFrom('ledger_tlog_nodes')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  if (Number(fromDbBigint(count.n)) !== nodesSeen) {
    throw new TlogVerifyError(
      'NODE_EXTRA',
      `the tree of ${n} leaves has ${nodesSeen} complete subtrees, but ${fromDbBigint(count.n)} subtree hashes are stored`,
    );
  }
  await checkpoints.loadUpTo(n + 1);
  const beyond = checkpoints.peek();
  if (beyond !== undefined) {
    throw new TlogVerifyError(
      'CHECKPOINT_MISMATCH',
      `a checkpoint of size ${beyond.size} is stored but the log has only ${n} leaves: leaves were removed`,
      { details: { size: beyond.size } },
    );
  }
  return {
    size: n,
    root: n === 0 ? emptyRoot() : foldRange(frontier.map((f) => f.hash)),
    checkpointsChecked: checkpoints.consumed,
    signaturesChecked: o.verifier !== undefined,
  };
}

/** Compare recomputed nodes with the stored ones (one ranged query per level). */
async function compareNodes(db: Kysely<LedgerTables>, expected: FrontierNode[]): Promise<number> {
  if (expected.length === 0) return 0;
  const byLevel = new Map<number, { min: number; max: number }>();
  for (const e of expected) {
    const r = byLevel.get(e.level);
    byLevel.set(
      e.level,
      r === undefined
        ? { min: e.idx, max: e.idx }
        : { min: Math.min(r.min, e.idx), max: Math.max(r.max, e.idx) },
    );
  }
  const rows = await db
    .selectFrom('ledger_tlog_nodes')
    .select(['level', 'idx', 'hash'])
    .where((eb) =>
      eb.or(
        [...byLevel].map(([level, r]) =>
          eb.and([
            eb('level', '=', BigInt(level)),
            eb('idx', '>=', BigInt(r.min)),
            eb('idx', '<=', BigInt(r.max)),
          ]),
        ),
      ),
    )
    .execute();
  const got = new Map(
    rows.map((r) => [
      nodeKey(Number(fromDbBigint(r.level)), Number(fromDbBigint(r.idx))),
      fromDbBytes(r.hash),
    ]),
  );
  for (const e of expected) {
    const h = got.get(nodeKey(e.level, e.idx));
    const where = {
      level: e.level,
      idx: e.idx,
      leaves: [e.idx * 2 ** e.level, (e.idx + 1) * 2 ** e.level],
    };
    if (h === undefined) {
      throw new TlogVerifyError(
        'NODE_MISSING',
        `the subtree hash of leaves [${where.leaves[0]}, ${where.leaves[1]}) (level ${e.level}) is missing`,
        { details: where },
      );
    }
    if (!bytesEqualPublic(h, e.hash)) {
      throw new TlogVerifyError(
        'NODE_MISMATCH',
        `the stored subtree hash of leaves [${where.leaves[0]}, ${where.leaves[1]}) (level ${e.level}) differs from the recomputed one`,
        { details: where },
      );
    }
  }
  return expected.length;
}
