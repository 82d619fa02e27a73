import { formatTlogProof } from '@cairn/core';
import type { Ledger } from '@cairn/ledger';

interface Cp {
  readonly size: number;
  readonly note: string;
}

/**
 * Proofs for freshly appended entries share checkpoints: concurrent requests wait for
 * one in-flight checkpoint instead of each signing its own (one per commit batch).
 */
export class ProofMaker {
  readonly #ledger: Ledger;
  #latest: Cp | undefined;
  #inflight: Promise<Cp> | undefined;

  constructor(ledger: Ledger) {
    this.#ledger = ledger;
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
          if (!this.#latest || cp.size > this.#latest.size)
            this.#latest = { size: cp.size, note: cp.note };
          return this.#latest;
        })
        .finally(() => {
          this.#inflight = undefined;
        });
      await this.#inflight;
    }
  }

  /** c2sp.org/tlog-proof text for entry `index` and the checkpoint it is proven against. */
  async tlogProof(index: number): Promise<{ proof: string; checkpoint: string }> {
    const cp = await this.checkpointCovering(index);
    const p = await this.#ledger.transparency.inclusionProof(index, cp.size);
    return {
      proof: formatTlogProof({ index: p.index, inclusionProof: p.proof, checkpoint: cp.note }),
      checkpoint: cp.note,
    };
  }
}
