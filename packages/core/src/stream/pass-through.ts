/**
 * The iterator `verifyStream` returns, written by hand: one async call per chunk where an
 * async generator over `for await` costs several promises and microtask turns. It keeps
 * the generator's contract: the source's iterator is opened on the first `next()`; a
 * check that fails closes it (`return()`), as leaving a `for await` by a throw would;
 * a source that throws is not closed; `return()` closes an opened source; overlapping
 * calls run one after the other; after an error or the end, `next()` reports done.
 */
import type { PayloadCheck } from './payload-check.js';
import { DONE, Turns } from './turns.js';

const FRESH = 0;
const OPEN = 1;
const FINISHED = 2;

export class PassThrough implements AsyncIterableIterator<Uint8Array, undefined, undefined> {
  readonly #source: AsyncIterable<unknown>;
  readonly #check: PayloadCheck;
  /** Rethrow the first error on every later `next()` instead of reporting done. */
  readonly #sticky: boolean;
  readonly #turns = new Turns();
  #it: AsyncIterator<unknown> | undefined;
  #state = FRESH;
  #failure: { readonly err: unknown } | undefined;

  constructor(source: AsyncIterable<unknown>, check: PayloadCheck, sticky = false) {
    this.#source = source;
    this.#check = check;
    this.#sticky = sticky;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Uint8Array, undefined>> {
    const wait = this.#turns.acquire();
    if (wait !== undefined) await wait;
    try {
      if (this.#state === FINISHED) {
        if (this.#failure !== undefined) throw this.#failure.err;
        return DONE;
      }
      let it = this.#it;
      if (it === undefined) {
        this.#check.start();
        it = this.#source[Symbol.asyncIterator]();
        this.#it = it;
        this.#state = OPEN;
      }
      const r = await it.next();
      if (r.done === true) {
        this.#state = FINISHED;
        this.#check.finish();
        return DONE;
      }
      let chunk: Uint8Array;
      try {
        chunk = this.#check.accept(r.value);
      } catch (err) {
        this.#state = FINISHED;
        await closeQuietly(it);
        throw err;
      }
      return { done: false, value: chunk };
    } catch (err) {
      this.#state = FINISHED;
      if (this.#sticky && this.#failure === undefined) this.#failure = { err };
      throw err;
    } finally {
      this.#turns.release();
    }
  }

  async return(): Promise<IteratorResult<Uint8Array, undefined>> {
    const wait = this.#turns.acquire();
    if (wait !== undefined) await wait;
    try {
      const open = this.#state === OPEN;
      this.#state = FINISHED;
      if (open) await this.#it?.return?.();
      return DONE;
    } finally {
      this.#turns.release();
    }
  }
}

/** Close a source after our own error; its own failure to close must not mask ours. */
export async function closeQuietly(it: AsyncIterator<unknown>): Promise<void> {
  try {
    await it.return?.();
  } catch {
    // The error that made us close is the one to report.
  }
}
