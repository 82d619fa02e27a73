/** Reads of stored subtree hashes: O(log n) point lookups in one or two queries. */
import type { SubtreeRange } from '@cairn/core';
import { fromDbBigint, fromDbBytes } from '@cairn/db';
import type { Kysely } from '@cairn/db';
import { LedgerError } from '../errors.js';
import type { LedgerTables } from '../schema.js';
import { decomposeRange, foldRange, nodeKey } from './tree-math.js';
import type { FrontierNode, NodeId } from './tree-math.js';

/** Fetch the hashes of the given nodes (level 0 from the leaves table). */
export async function fetchNodes(
  db: Kysely<LedgerTables>,
  ids: readonly NodeId[],
): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const leaves = [...new Set(ids.filter((n) => n.level === 0).map((n) => n.idx))];
  const inner = ids.filter((n) => n.level > 0);
  if (leaves.length > 0) {
    const rows = await db
      .selectFrom('ledger_tlog_leaves')
      .select(['idx', 'leaf_hash'])
      .where('idx', 'in', leaves.map(BigInt))
      .execute();
    for (const r of rows)
      out.set(nodeKey(0, Number(fromDbBigint(r.idx))), fromDbBytes(r.leaf_hash));
  }
  if (inner.length > 0) {
    const rows = await db
      .selectFrom('ledger_tlog_nodes')
      .select(['level', 'idx', 'hash'])
      .where((eb) =>
        eb.or(
          inner.map((n) =>
            eb.and([eb('level', '=', BigInt(n.level)), eb('idx', '=', BigInt(n.idx))]),
          ),
        ),
      )
      .execute();
    for (const r of rows) {
      out.set(
        nodeKey(Number(fromDbBigint(r.level)), Number(fromDbBigint(r.idx))),
        fromDbBytes(r.hash),
      );
    }
  }
  for (const n of ids) {
    if (!out.has(nodeKey(n.level, n.idx))) {
      throw new LedgerError(
        'STORE_CORRUPT',
        `the stored tree lacks the hash of subtree level ${n.level} index ${n.idx}; run verifyTransparencyLog to find the damage`,
        { details: { level: n.level, idx: n.idx } },
      );
    }
  }
  return out;
}

/** The frontier of the tree of `size`: its perfect subtrees with their hashes. */
export async function loadFrontier(
  db: Kysely<LedgerTables>,
  size: number,
): Promise<FrontierNode[]> {
  const ids = decomposeRange(0, size);
  const hashes = await fetchNodes(db, ids);
  return ids.map((n) => ({ ...n, hash: hashes.get(nodeKey(n.level, n.idx))! }));
}

/** MTH of each range, fetching every needed stored subtree hash at once. */
export async function rangeHashes(
  db: Kysely<LedgerTables>,
  ranges: readonly SubtreeRange[],
): Promise<Uint8Array[]> {
  const pieces = ranges.map((r) => decomposeRange(r.start, r.end));
  const hashes = await fetchNodes(db, pieces.flat());
  return pieces.map((p) => foldRange(p.map((n) => hashes.get(nodeKey(n.level, n.idx))!)));
}
