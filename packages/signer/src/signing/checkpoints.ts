import { formatTlogProof, verifyInclusion } from '@cairn/core';
import type { Ledger } from '@cairn/ledger';
import type { TreeMirror } from './tree-mirror.js';

interface Cp {
  readonly size: number;
  readonly note: string;
  readonly root: Uint8Array;
}

/**
 * Proofs for freshly appended entries share checkpoints: concurrent requests wait for
 * one in-flight checkpoint instead of each signing its own (one per commit batch).
 */
export class ProofMaker {
  readonly #ledger: Ledger;
  readonly #mirror: TreeMirror | undefined;
  #latest: Cp | undefined;
  #inflight: Promise<Cp> | undefined;

  constructor(ledger: Ledger, mirror?: TreeMirror) {
    this.#ledger = ledger;
    this.#mirror = mirror;
  }

  /** Tell the mirror about an entry this process appended. */
  appended(index: number, leafHash: Uint8Array): void {
    this.#mirror?.add(index, leafHash);
  }

  async checkpointCovering(index: number): Promise<Cp> {
    for (;;) {
      if (this.#latest && this.#latest.size > index) return this.#latest;
      if (this.#inflight) {
        await this.#inflight;
        continue;
      }
      this.#inflight = this.#ledger.transparency
        .checkpoint()
        .then((cp) => {
          const latest =
            this.#latest && this.#latest.size >= cp.size
              ? this.#latest
              : { size: cp.size, note: cp.note, root: cp.root };
          this.#latest = latest;
          return latest;
        })
        .finally(() => {
          this.#inflight = undefined;
        });
      await this.#inflight;
    }
  }

  /** c2sp.org/tlog-proof text for entry `index` and the checkpoint it is proven against. */
  async tlogProof(
    index: number,
    leafHash?: Uint8Array,
  ): Promise<{ proof: string; checkpoint: string }> {
    const cp = await this.checkpointCovering(index);
    let proof: Uint8Array[] | undefined;
    if (this.#mirror && leafHash && this.#mirror.covers(cp.size)) {
      try {
        const p = this.#mirror.inclusionProof(index, cp.size);
        verifyInclusion({ leafIndex: index, treeSize: cp.size, leafHash, proof: p, root: cp.root });
        proof = p;
      } catch {
        proof = undefined; // fall back to the ledger's stored tree
      }
    }
    proof ??= (await this.#ledger.transparency.inclusionProof(index, cp.size)).proof;
    return {
      proof: formatTlogProof({ index, inclusionProof: proof, checkpoint: cp.note }),
      checkpoint: cp.note,
    };
  }
}
