import { formatTlogProof } from '@cairn/core';
import type { Ledger } from '@cairn/ledger';
import { SignerError } from '../errors.js';
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
  /** The checkpoint size whose root the mirror was last found to agree with. */
  #agreed = -1;

  constructor(ledger: Ledger, mirror?: TreeMirror) {
    this.#ledger = ledger;
    this.#mirror = mirror;
  }

  /** Tell the mirror about an entry this process appended. */
  appended(index: number, leafHash: Uint8Array): void {
    this.#mirror?.add(index, leafHash);
  }

  async checkpointCovering(index: number): Promise<Cp> {
    for (let fresh = false; ;) {
      if (this.#latest && this.#latest.size > index) return this.#latest;
      if (fresh) {
        throw new SignerError(
          'NOT_FOUND',
          `the transparency log has no entry ${index} (its size is ${this.#latest?.size ?? 0})`,
        );
      }
      if (this.#inflight) {
        await this.#inflight;
        continue;
      }
      fresh = true;
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

  #nextTurn: Promise<void> | undefined;
  readonly #sources = { mirror: 0, ledger: 0 };

  /** Inclusion proofs served so far from the in-memory mirror and from the ledger's tables. */
  stats(): { mirror: number; ledger: number } {
    return { ...this.#sources };
  }

  /** Resolves after the current turn of the event loop (one shared promise per turn). */
  #turn(): Promise<void> {
    this.#nextTurn ??= new Promise<void>((resolve) => {
      setImmediate(() => {
        this.#nextTurn = undefined;
        resolve();
      });
    });
    return this.#nextTurn;
  }

  /**
   * Whether the mirror's tree of `cp.size` leaves has the checkpoint's signed root. Checked
   * once per checkpoint: every proof the mirror then gives for that size is made of the
   * very subtree hashes that produced the signed root, so it verifies against it.
   */
  #mirrorAgrees(cp: Cp): boolean {
    const m = this.#mirror;
    if (m === undefined || !m.covers(cp.size)) return false;
    if (this.#agreed === cp.size) return true;
    const ok = Buffer.from(m.root(cp.size)).equals(cp.root);
    if (ok) this.#agreed = cp.size;
    return ok;
  }

  /**
   * c2sp.org/tlog-proof text for entry `index` and the checkpoint it is proven against:
   * `committed` (the checkpoint signed in the entry's batch, with checkpointEachBatch) or
   * the latest one covering it.
   */
  async tlogProof(index: number, committed?: Cp): Promise<{ proof: string; checkpoint: string }> {
    let cp: Cp;
    if (committed !== undefined && committed.size > index) {
      // the checkpoint the ledger signed in the entry's own transaction
      cp = committed;
      if (this.#latest === undefined || this.#latest.size < cp.size) this.#latest = cp;
    } else cp = await this.checkpointCovering(index);
    // The other entries of this batch reach the mirror as their own requests resume, all
    // in this turn of the event loop: wait for it once before falling back to the database.
    if (this.#mirror !== undefined && !this.#mirror.covers(cp.size)) await this.#turn();
    let proof: Uint8Array[];
    if (this.#mirrorAgrees(cp)) {
      proof = this.#mirror!.inclusionProof(index, cp.size);
      this.#sources.mirror++;
    } else {
      proof = (await this.#ledger.transparency.inclusionProof(index, cp.size)).proof;
      this.#sources.ledger++;
    }
    return {
      proof: formatTlogProof({ index, inclusionProof: proof, checkpoint: cp.note }),
      checkpoint: cp.note,
    };
  }
}
