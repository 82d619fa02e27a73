/**
 * One call at a time for the hand-written async iterators on the per-chunk hot path.
 *
 * Those iterators replace stacked async generators (each generator layer costs several
 * promises and microtask turns per chunk). An async generator queues a `next()` made
 * while another is pending; `Turns` keeps that guarantee at the cost of one flag test
 * when calls do not overlap, which is how `for await` always calls.
 */
export class Turns {
  #busy = false;
  #waiting: (() => void)[] | undefined;

  /** Resolves when the caller may run; pair every `acquire` with one `release`. */
  acquire(): Promise<void> | undefined {
    if (!this.#busy) {
      this.#busy = true;
      return undefined;
    }
    return new Promise((resolve) => (this.#waiting ??= []).push(resolve));
  }

  /** Hands the turn to the oldest waiting call, or frees it. */
  release(): void {
    const next = this.#waiting?.shift();
    if (next === undefined) this.#busy = false;
    else next();
  }
}

/** The shared result of an iterator that has finished. */
export const DONE: IteratorReturnResult<undefined> = Object.freeze({
  done: true,
  value: undefined,
});
