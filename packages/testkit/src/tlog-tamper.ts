import { fromDbBytes, toDbBytes } from '@cairn/db';
import type { Kysely } from '@cairn/db';

/** One stored transparency-log leaf, as a tamper test reads and rewrites it. */
export interface TlogLeaf {
  readonly leaf_hash: Uint8Array;
  readonly data: Uint8Array;
}

/** The ledger tables these helpers touch (names as @cairn/ledger stores them). */
interface TlogTables {
  ledger_tlog_leaves: { idx: bigint; leaf_hash: Uint8Array; data: Uint8Array };
  ledger_logs: { name: string; size: bigint };
}

/** Every stored leaf of the transparency log, in index order. */
export async function readTlogLeaves<DB>(db: Kysely<DB>): Promise<TlogLeaf[]> {
  const k = db as unknown as Kysely<TlogTables>;
  const rows = await k
    .selectFrom('ledger_tlog_leaves')
    .select(['leaf_hash', 'data'])
    .orderBy('idx')
    .execute();
  return rows.map((r) => ({ leaf_hash: fromDbBytes(r.leaf_hash), data: fromDbBytes(r.data) }));
}

/** Store `leaves` as leaves 0..n-1 and n as the log's size (a careful forger's edit). */
export async function writeTlogLeaves<DB>(
  db: Kysely<DB>,
  leaves: readonly TlogLeaf[],
): Promise<void> {
  const k = db as unknown as Kysely<TlogTables>;
  await k.deleteFrom('ledger_tlog_leaves').execute();
  if (leaves.length > 0) {
    await k
      .insertInto('ledger_tlog_leaves')
      .values(
        leaves.map((l, i) => ({
          idx: BigInt(i),
          leaf_hash: toDbBytes(l.leaf_hash),
          data: toDbBytes(l.data),
        })),
      )
      .execute();
  }
  await k
    .updateTable('ledger_logs')
    .set({ size: BigInt(leaves.length) })
    .where('name', '=', 'tlog')
    .execute();
}
