/**
 * Transparency log verification: recompute the tree from the stored leaves, check
 * every leaf hash, every stored subtree hash, the stored size, and the root and
 * signature of every stored checkpoint and of every exported checkpoint given (kept
 * outside the database, they reveal a log truncated or rewritten after them).
 *
 * The error names the first bad leaf where the stored data allow it (`details.index`).
 * When a stored subtree hash reveals the change, `details.change` says what happened:
 * 'reordered', 'inserted', 'missing' (deleted and the later leaves renumbered), or
 * 'node-edited' (only the subtree hash was changed); 'truncated' when the log is shorter
 * than an exported checkpoint. A leaf replaced together with its stored hash is seen
 * only through the subtree hash over it (`details.leaves` bounds it) or, for the last
 * leaf of an odd-sized tree, through a checkpoint root.
 */
import { emptyRoot, leafHash, nodeHash } from '@cairn/core';
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
import { SNAPSHOT } from '../snapshot.js';

export interface VerifyTransparencyLogOptions {
  readonly db: Database;
  /** The log's note verifier; stored checkpoint signatures are checked when given. */
  readonly verifier?: NoteVerifier;
  readonly origin?: string;
  /**
   * Checkpoint notes of this log exported earlier and kept elsewhere (e.g. with
   * `cairn audit export-checkpoint --log tlog`). Each must agree with the stored log: one
   * larger than the log means leaves were removed (truncated); one whose root the leaves
   * do not give means the log was rewritten after it. Signatures are checked with
   * `verifier` when given.
   */
  readonly checkpoints?: readonly (string | Uint8Array)[];
}

export interface TransparencyVerification {
  readonly size: number;
  readonly root: Uint8Array;
  /** Checkpoints compared: those stored in the database plus the exported ones given. */
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

/**
 * Verify the transparency log. Every read happens in one read-only snapshot, so a log
 * that a running service keeps appending to is verified as of one moment (entries and
 * checkpoints committed meanwhile are not seen, and cannot look like tampering).
 */
export function verifyTransparencyLog(
  o: VerifyTransparencyLogOptions,
): Promise<TransparencyVerification> {
  return o.db.transaction<LedgerTables, TransparencyVerification>(
    (trx) => verifyTransparencyLogIn(trx, o),
    SNAPSHOT,
  );
}

async function verifyTransparencyLogIn(
  db: Kysely<LedgerTables>,
  o: VerifyTransparencyLogOptions,
): Promise<TransparencyVerification> {
  const exported = (o.checkpoints ?? [])
    .map((note, i) => {
      const read = readCheckpoint(note, o);
      if ('problem' in read) {
        throw new TlogVerifyError(
          'CHECKPOINT_INVALID',
          `exported checkpoint ${i + 1} was refused: ${read.problem}`,
          { details: { exported: i + 1 } },
        );
      }
      return { checkpoint: read.checkpoint, name: `exported checkpoint ${i + 1}` };
    })
    .sort((a, b) => a.checkpoint.size - b.checkpoint.size);
  const state = await db
    .selectFrom('ledger_logs')
    .select('size')
    .where('name', '=', 'tlog')
    .executeTakeFirst()
    .catch((cause: unknown) => {
      throw Object.assign(notALedger(), { cause });
    });
  if (state === undefined) throw notALedger();
  const stateSize = Number(fromDbBigint(state.size));
  const checkpoints = new CheckpointPages(db, o);
  let nextExported = 0;
  /** The largest size whose checkpoints all matched: leaves below it are as signed. */
  let lastGood = 0;
  /** The first checkpoint of size n whose root the leaves do not give, if any. */
  const checkRoots = (
    n: number,
    frontier: readonly FrontierNode[],
  ): TlogVerifyError | undefined => {
    const due: { checkpoint: Checkpoint; name: string }[] = [];
    for (let cp = checkpoints.peek(); cp !== undefined && cp.size === n; cp = checkpoints.peek()) {
      checkpoints.next();
      due.push({ checkpoint: cp, name: `checkpoint of size ${n}` });
    }
    for (let e = exported[nextExported]; e?.checkpoint.size === n; e = exported[nextExported]) {
      nextExported++;
      due.push({ checkpoint: e.checkpoint, name: `${e.name} (size ${n})` });
    }
    if (due.length === 0) return undefined;
    const root = n === 0 ? emptyRoot() : foldRange(frontier.map((f) => f.hash));
    const bad = due.find((d) => !bytesEqualPublic(root, d.checkpoint.rootHash));
    if (bad === undefined) {
      lastGood = n;
      return undefined;
    }
    const changed = n - lastGood === 1 ? `leaf ${lastGood}` : `a leaf in ${lastGood}..${n - 1}`;
    return new TlogVerifyError(
      'CHECKPOINT_MISMATCH',
      `the ${bad.name} has a root the leaves do not give: the log was rewritten after it was signed (${changed} differs from the one signed)`,
      { details: { size: n } },
    );
  };

  let frontier: FrontierNode[] = [];
  let n = 0;
  let nodesSeen = 0;
  await checkpoints.loadUpTo(0);
  const emptyMismatch = checkRoots(0, frontier);
  if (emptyMismatch !== undefined) throw emptyMismatch;
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
    // A problem found at leaf n is reported after the subtrees over leaves < n are
    // compared: one of those may name an earlier bad leaf.
    let problem: TlogVerifyError | undefined;
    for (const row of rows) {
      const idx = Number(fromDbBigint(row.idx));
      if (idx !== n) {
        problem = new TlogVerifyError(
          'LEAF_MISSING',
          `leaf ${n} is missing (the next stored leaf is ${idx})`,
          { details: { index: n } },
        );
        break;
      }
      if (n >= stateSize) {
        problem = new TlogVerifyError(
          'STATE_MISMATCH',
          `leaf ${n} lies beyond the log's stored size ${stateSize}: it was added outside the ledger, or the stored size was lowered`,
          { details: { index: n, size: stateSize } },
        );
        break;
      }
      const h = leafHash(fromDbBytes(row.data));
      if (!bytesEqualPublic(h, fromDbBytes(row.leaf_hash))) {
        problem = new TlogVerifyError(
          'LEAF_HASH_MISMATCH',
          `leaf ${n}'s stored hash is not the hash of its data: the entry or its hash was edited`,
          { details: { index: n } },
        );
        break;
      }
      const step = appendToFrontier(frontier, n, [h]);
      frontier = step.frontier;
      expected.push(...step.nodes);
      n++;
      problem = checkRoots(n, frontier);
      if (problem !== undefined) break;
    }
    const compared = await compareNodes(db, expected);
    if (typeof compared !== 'number') throw await explainNode(db, compared);
    if (problem !== undefined) throw problem;
    nodesSeen += compared;
  }
  const truncated = exported[nextExported];
  if (truncated !== undefined) {
    throw new TlogVerifyError(
      'CHECKPOINT_MISMATCH',
      `leaf ${n} and later were removed (truncated): the log has ${n} leaves but ${truncated.name} covers ${truncated.checkpoint.size}`,
      { details: { index: n, size: truncated.checkpoint.size, change: 'truncated' } },
    );
  }
  if (n !== stateSize) {
    throw new TlogVerifyError(
      'STATE_MISMATCH',
      `the log holds ${n} leaves but its stored size is ${stateSize}: leaf ${n} and later were removed, or the size was altered`,
      { details: { index: n, size: n } },
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
      `a checkpoint of size ${beyond.size} is stored but the log has only ${n} leaves: leaf ${n} and later were removed`,
      { details: { size: beyond.size } },
    );
  }
  return {
    size: n,
    root: n === 0 ? emptyRoot() : foldRange(frontier.map((f) => f.hash)),
    checkpointsChecked: checkpoints.consumed + exported.length,
    signaturesChecked: o.verifier !== undefined,
  };
}

/** A recomputed subtree whose stored hash is absent or different. */
interface NodeProblem {
  readonly node: FrontierNode;
  readonly stored: Uint8Array | undefined;
}

/**
 * Compare recomputed nodes with the stored ones (one ranged query per level); the
 * number compared, or the first that differs.
 */
async function compareNodes(
  db: Kysely<LedgerTables>,
  expected: FrontierNode[],
): Promise<number | NodeProblem> {
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
    if (h === undefined || !bytesEqualPublic(h, e.hash)) return { node: e, stored: h };
  }
  return expected.length;
}

async function storedNode(
  db: Kysely<LedgerTables>,
  level: number,
  idx: number,
): Promise<Uint8Array | undefined> {
  if (idx < 0) return undefined;
  const row = await db
    .selectFrom('ledger_tlog_nodes')
    .select('hash')
    .where('level', '=', BigInt(level))
    .where('idx', '=', BigInt(idx))
    .executeTakeFirst();
  return row === undefined ? undefined : fromDbBytes(row.hash);
}

/**
 * Say what happened under the first subtree whose stored hash differs. Every subtree
 * below it matched, so: its stored hash was edited (the level above still agrees with
 * the recomputed one), or the leaves under it changed (for a level-1 subtree the two
 * leaves are tested as swapped, inserted, deleted with renumbering, or moved).
 */
async function explainNode(db: Kysely<LedgerTables>, p: NodeProblem): Promise<TlogVerifyError> {
  const { level, idx, hash } = p.node;
  const first = idx * 2 ** level;
  const where = { level, idx, leaves: [first, first + 2 ** level] };
  const range = `leaves [${first}, ${first + 2 ** level}) (level ${level})`;
  if (p.stored === undefined) {
    return new TlogVerifyError('NODE_MISSING', `the subtree hash of ${range} is missing`, {
      details: where,
    });
  }
  const parent = await storedNode(db, level + 1, Math.floor(idx / 2));
  const sibling = await storedNode(db, level, idx ^ 1);
  if (
    parent !== undefined &&
    sibling !== undefined &&
    bytesEqualPublic(parent, idx % 2 === 0 ? nodeHash(hash, sibling) : nodeHash(sibling, hash))
  ) {
    return new TlogVerifyError(
      'NODE_MISMATCH',
      `the stored subtree hash of ${range} was edited: it differs from the one recomputed from the leaves, which the subtree hash above it still agrees with`,
      { details: { ...where, change: 'node-edited' } },
    );
  }
  const leafChange = level === 1 ? await explainPair(db, first, p.stored) : undefined;
  if (leafChange !== undefined) {
    return new TlogVerifyError('NODE_MISMATCH', leafChange.message, {
      details: { ...where, ...leafChange.details },
    });
  }
  return new TlogVerifyError(
    'NODE_MISMATCH',
    `the stored subtree hash of ${range} differs from the recomputed one: a leaf under it was replaced together with its hash, leaves were moved, or the subtree hash was edited`,
    { details: where },
  );
}

/**
 * The level-1 subtree over leaves a, a+1 has stored hash `s` that these leaves do not
 * give. Test which change explains it.
 */
async function explainPair(
  db: Kysely<LedgerTables>,
  a: number,
  s: Uint8Array,
): Promise<{ message: string; details: Record<string, unknown> } | undefined> {
  const rows = await db
    .selectFrom('ledger_tlog_leaves')
    .select(['idx', 'data'])
    .where('idx', '>=', BigInt(a))
    .where('idx', '<', BigInt(a + 5))
    .execute();
  const leaf = new Map(
    rows.map((r) => [Number(fromDbBigint(r.idx)), leafHash(fromDbBytes(r.data))]),
  );
  /** Whether leaves l, r (as stored now) hash to `want`. */
  const gives = (l: number, r: number, want: Uint8Array): boolean => {
    const x = leaf.get(l);
    const y = leaf.get(r);
    return x !== undefined && y !== undefined && bytesEqualPublic(nodeHash(x, y), want);
  };
  const found = (index: number, change: string, message: string, extra: object = {}) => ({
    message,
    details: { index, change, ...extra },
  });
  if (gives(a + 1, a, s)) {
    return found(a, 'reordered', `leaves ${a} and ${a + 1} were swapped (reordered)`);
  }
  // The next pair's stored hash tells whether the later leaves moved up or down by one.
  const next = await storedNode(db, 1, a / 2 + 1);
  const movedUp = next === undefined || !leaf.has(a + 4) || gives(a + 3, a + 4, next);
  if (movedUp && gives(a + 1, a + 2, s)) {
    return found(
      a,
      'inserted',
      `leaf ${a} was inserted: it was never appended, and the leaves after it were renumbered`,
    );
  }
  if (movedUp && gives(a, a + 2, s)) {
    return found(
      a + 1,
      'inserted',
      `leaf ${a + 1} was inserted: it was never appended, and the leaves after it were renumbered`,
    );
  }
  if (next !== undefined && gives(a + 1, a + 2, next)) {
    return found(
      a,
      'missing',
      `leaf ${a} or ${a + 1} is missing: it was deleted and the leaves after it were renumbered`,
    );
  }
  // Moved elsewhere: look for the leaf that, paired with one of these two, gives `s`.
  const left = leaf.get(a);
  const right = leaf.get(a + 1);
  for (let after = -1n; ;) {
    const page = await db
      .selectFrom('ledger_tlog_leaves')
      .select(['idx', 'leaf_hash'])
      .where('idx', '>', after)
      .orderBy('idx')
      .limit(PAGE)
      .execute();
    for (const r of page) {
      const k = Number(fromDbBigint(r.idx));
      const x = fromDbBytes(r.leaf_hash);
      if (k !== a + 1 && left !== undefined && bytesEqualPublic(nodeHash(left, x), s)) {
        return found(
          a + 1,
          'reordered',
          `leaf ${a + 1} is out of order: the leaf appended as ${a + 1} is stored at ${k}`,
          { storedAt: k },
        );
      }
      if (k !== a && right !== undefined && bytesEqualPublic(nodeHash(x, right), s)) {
        return found(
          a,
          'reordered',
          `leaf ${a} is out of order: the leaf appended as ${a} is stored at ${k}`,
          { storedAt: k },
        );
      }
    }
    if (page.length < PAGE) return undefined;
    after = fromDbBigint(page.at(-1)!.idx);
  }
}
