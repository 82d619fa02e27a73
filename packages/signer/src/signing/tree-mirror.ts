import { inclusionProofWith, nodeHash } from '@cairn/core';
import { fromDbBigint, fromDbBytes } from '@cairn/db';
import type { Database } from '@cairn/db';
import type { LedgerTables } from '@cairn/ledger';

const MEMO_MIN = 16;
const PAGE = 50_000;

/**
 * An in-memory mirror of the transparency log's leaf hashes, so the inclusion proof of a
 * fresh signature is computed without database reads (one read per proof node would cap
 * the service at a few hundred signatures per second). Leaves are immutable, so hashes
 * of complete subtrees of 16+ leaves are memoised. Every proof is verified against the
 * signed checkpoint's root before it is returned; on any gap or mismatch the caller falls
 * back to the ledger's own proof.
 */
export class TreeMirror {
  readonly #leaves: (Uint8Array | undefined)[] = [];
  readonly #memo = new Map<number, Uint8Array>();

  static async load(db: Database): Promise<TreeMirror> {
    const m = new TreeMirror();
    const k = db.typed<LedgerTables>();
    for (let start = 0; ; start += PAGE) {
      const rows = await k
        .selectFrom('ledger_tlog_leaves')
        .select(['idx', 'leaf_hash'])
        .where('idx', '>=', BigInt(start))
        .where('idx', '<', BigInt(start + PAGE))
        .orderBy('idx')
        .execute();
      for (const r of rows) m.add(Number(fromDbBigint(r.idx)), fromDbBytes(r.leaf_hash));
      if (rows.length < PAGE) break;
    }
    return m;
  }

  add(index: number, leafHash: Uint8Array): void {
    this.#leaves[index] = leafHash;
  }

  /** Whether every leaf below `size` is known. */
  covers(size: number): boolean {
    if (this.#leaves.length < size) return false;
    for (let i = size - 1; i >= 0 && i >= size - 4096; i--)
      if (this.#leaves[i] === undefined) return false;
    return true;
  }

  #hash(start: number, end: number): Uint8Array {
    const n = end - start;
    if (n === 1) {
      const h = this.#leaves[start];
      if (h === undefined) throw new Error(`leaf ${start} is not mirrored`);
      return h;
    }
    const perfect = (n & (n - 1)) === 0 && start % n === 0;
    // key: start and size packed (sizes are powers of two < 2^32)
    const key = start * 64 + Math.log2(n);
    if (perfect && n >= MEMO_MIN) {
      const hit = this.#memo.get(key);
      if (hit) return hit;
    }
    let k = 1;
    while (k * 2 < n) k *= 2;
    const h = nodeHash(this.#hash(start, start + k), this.#hash(start + k, end));
    if (perfect && n >= MEMO_MIN) this.#memo.set(key, h);
    return h;
  }

  inclusionProof(index: number, size: number): Uint8Array[] {
    return inclusionProofWith(index, size, (s, e) => this.#hash(s, e));
  }
}
