import { inclusionProofWith, nodeHash } from '@cairn/core';
import { fromDbBigint, fromDbBytes } from '@cairn/db';
import type { Database } from '@cairn/db';
import type { LedgerTables } from '@cairn/ledger';

const HASH = 32;
const PAGE = 50_000;
/** Out-of-order leaves kept while waiting for the gap before them to fill. */
const MAX_PENDING = 65_536;

/**
 * Every complete subtree hash of a tree that grows at the right, level by level, packed
 * 32 bytes per node in growable buffers: 64 bytes of memory per leaf, and the hash of any
 * perfect, aligned subtree is one lookup.
 */
class HashLevels {
  readonly #levels: Buffer[] = [];
  readonly #counts: number[] = [];

  get size(): number {
    return this.#counts[0] ?? 0;
  }

  node(level: number, i: number): Uint8Array {
    return this.#levels[level]!.subarray(i * HASH, (i + 1) * HASH);
  }

  #append(level: number, h: Uint8Array): void {
    if (this.#levels.length === level) {
      this.#levels.push(Buffer.alloc(HASH * 1024));
      this.#counts.push(0);
    }
    let buf = this.#levels[level]!;
    const n = this.#counts[level]!;
    if ((n + 1) * HASH > buf.length) {
      const grown = Buffer.alloc(buf.length * 2);
      buf.copy(grown);
      this.#levels[level] = buf = grown;
    }
    buf.set(h, n * HASH);
    this.#counts[level] = n + 1;
  }

  push(leaf: Uint8Array): void {
    this.#append(0, leaf);
    // each completed pair makes its parent complete: ~one node hash per leaf on average
    for (let level = 0; this.#counts[level]! % 2 === 0; level++) {
      const n = this.#counts[level]!;
      this.#append(level + 1, nodeHash(this.node(level, n - 2), this.node(level, n - 1)));
    }
  }
}

/**
 * An in-memory mirror of the transparency log's tree, so the inclusion proof of a fresh
 * signature costs lookups, not database reads or hashing (one read per proof node would
 * cap the service at a few hundred signatures per second). Complete subtrees come from
 * HashLevels; the few incomplete ones at the right edge of a tree size are hashed once per
 * size. The caller checks the mirror's root against the signed checkpoint before trusting
 * any proof from it (ProofMaker does), and falls back to the ledger's own proof otherwise.
 */
export class TreeMirror {
  readonly #tree = new HashLevels();
  readonly #pending = new Map<number, Uint8Array>();
  #edgeSize = -1;
  #edge = new Map<number, Uint8Array>();

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

  /** Leaves known without a gap from index 0. */
  get size(): number {
    return this.#tree.size;
  }

  /** Record leaf `index` (in any order; a leaf is placed once the ones before it are known). */
  add(index: number, leafHash: Uint8Array): void {
    if (leafHash.length !== HASH || index < this.#tree.size) return;
    if (index > this.#tree.size) {
      if (this.#pending.size >= MAX_PENDING) this.#pending.clear(); // proofs fall back
      this.#pending.set(index, leafHash);
      return;
    }
    this.#tree.push(leafHash);
    for (let h; (h = this.#pending.get(this.#tree.size)) !== undefined;) {
      this.#pending.delete(this.#tree.size);
      this.#tree.push(h);
    }
  }

  /** Whether every leaf below `size` is known. */
  covers(size: number): boolean {
    return size <= this.#tree.size;
  }

  #hash(start: number, end: number): Uint8Array {
    const n = end - start;
    if ((n & (n - 1)) === 0 && start % n === 0) return this.#tree.node(Math.log2(n), start / n);
    // an incomplete subtree always ends at the tree size: memoise per size
    if (this.#edgeSize !== end) {
      this.#edgeSize = end;
      this.#edge = new Map();
    }
    const hit = this.#edge.get(start);
    if (hit !== undefined) return hit;
    let k = 1;
    while (k * 2 < n) k *= 2;
    const h = nodeHash(this.#hash(start, start + k), this.#hash(start + k, end));
    this.#edge.set(start, h);
    return h;
  }

  /** Root hash of the tree of the first `size` leaves (size ≥ 1, covered). */
  root(size: number): Uint8Array {
    if (size < 1 || !this.covers(size)) throw new Error(`the mirror does not cover size ${size}`);
    return this.#hash(0, size);
  }

  inclusionProof(index: number, size: number): Uint8Array[] {
    if (!this.covers(size)) throw new Error(`the mirror does not cover size ${size}`);
    return inclusionProofWith(index, size, (s, e) => this.#hash(s, e));
  }
}
