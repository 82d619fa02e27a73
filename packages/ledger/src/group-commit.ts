/**
 * Group commit: callers submit items concurrently; while one batch is being committed
 * the next ones queue, and the whole queue (up to the caps) goes into the next commit.
 * A batch starts only after the event loop has run its ready callbacks (setImmediate).
 * Each caller's promise settles only after its own batch committed (or failed).
 * When a batch of several items fails, each of its items is retried alone, so one bad
 * item cannot fail its neighbours.
 */
export interface GroupCommitOptions<I> {
  /** Most items per commit. */
  readonly maxItems: number;
  /** Most total weight (e.g. bytes) per commit; a single heavier item goes alone. */
  readonly maxWeight: number;
  readonly weight: (item: I) => number;
}

interface Waiter<I, O> {
  readonly item: I;
  readonly resolve: (out: O) => void;
  readonly reject: (err: unknown) => void;
}

export class GroupCommitter<I, O> {
  readonly #commit: (items: I[]) => Promise<O[]>;
  readonly #options: GroupCommitOptions<I>;
  #queue: Waiter<I, O>[] = [];
  #running: Promise<void> | undefined;
  #batches = 0;
  #items = 0;

  constructor(commit: (items: I[]) => Promise<O[]>, options: GroupCommitOptions<I>) {
    this.#commit = commit;
    this.#options = options;
  }

  /** Queue one item; resolves with its result once its batch is committed. */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#running ??= this.#drain();
    });
  }

  /** Resolves when nothing is queued or committing. */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  /** Batches committed and items they held, for monitoring. */
  stats(): { batches: number; items: number } {
    return { batches: this.#batches, items: this.#items };
  }

  /**
   * Before each batch, let the event loop run every callback that is ready (setImmediate
   * runs after the I/O phase): callers whose work completes one callback at a time (HTTP
   * requests, signatures from a thread pool) then queue up and share one commit, instead
   * of the first of them starting a commit of its own on a microtask. A synchronous
   * driver (better-sqlite3) blocks the loop while it commits, so whatever arrived
   * meanwhile goes into the next batch.
   */
  async #drain(): Promise<void> {
    try {
      for (;;) {
        await new Promise<void>((resolve) => {
          setImmediate(resolve);
        });
        if (this.#queue.length === 0) break;
        await this.#run(this.#take());
      }
    } finally {
      this.#running = undefined;
    }
  }

  #take(): Waiter<I, O>[] {
    const { maxItems, maxWeight, weight } = this.#options;
    let n = 0;
    let total = 0;
    while (n < this.#queue.length && n < maxItems) {
      const w = weight(this.#queue[n]!.item);
      if (n > 0 && total + w > maxWeight) break;
      total += w;
      n++;
    }
    return this.#queue.splice(0, n);
  }

  async #run(batch: Waiter<I, O>[]): Promise<void> {
    try {
      const out = await this.#commit(batch.map((w) => w.item));
      this.#batches++;
      this.#items += batch.length;
      batch.forEach((w, i) => {
        w.resolve(out[i]!);
      });
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      for (const w of batch) await this.#run([w]);
    }
  }
}
