/**
 * A pull reader over an `AsyncIterable<Uint8Array>` that reads exact byte counts with a
 * cap (for headers) and hands out exact-length sub-streams (for payloads) without
 * consuming anything past them. It keeps at most one partly used chunk.
 */
import { asChunk, StreamError, throwIfAborted } from './errors.js';
import { DONE, Turns } from './turns.js';

const FRESH = 0;
const OPEN = 1;
const FINISHED = 2;

/** The state of one `take` sub-stream. */
interface Take {
  readonly epoch: number;
  readonly n: number;
  readonly what: string;
  delivered: number;
  state: typeof FRESH | typeof OPEN | typeof FINISHED;
  readonly turns: Turns;
}

export interface ByteReaderOptions {
  readonly signal?: AbortSignal;
  /** Turns a `STREAM_TRUNCATED` error into the caller's own (e.g. a format's code). */
  readonly onTruncated?: (err: StreamError) => Error;
}

export class ByteReader {
  readonly #it: AsyncIterator<unknown>;
  readonly #signal: AbortSignal | undefined;
  readonly #onTruncated: ((err: StreamError) => Error) | undefined;
  #pending: Uint8Array | undefined;
  #done = false;
  #position = 0;
  /** Bumped by every read; a sub-stream from an older read may no longer be used. */
  #epoch = 0;
  /** Bytes the current sub-stream has still to deliver. */
  #takeLeft = 0;
  /** Bytes abandoned sub-streams left unread, discarded before the next read. */
  #skip = 0;

  constructor(source: AsyncIterable<Uint8Array>, opts: ByteReaderOptions = {}) {
    this.#it = source[Symbol.asyncIterator]();
    this.#signal = opts.signal;
    this.#onTruncated = opts.onTruncated;
  }

  /** Bytes consumed so far. */
  get position(): number {
    return this.#position;
  }

  /** The next non-empty chunk (the leftover first), or undefined at the end. */
  async #pull(): Promise<Uint8Array | undefined> {
    throwIfAborted(this.#signal);
    if (this.#pending !== undefined) {
      const p = this.#pending;
      this.#pending = undefined;
      return p;
    }
    while (!this.#done) {
      const chunk = this.#fromResult(await this.#it.next());
      if (chunk !== undefined) return chunk;
    }
    return undefined;
  }

  /** One result of the source: its chunk, or undefined if empty or the end (`#done`). */
  #fromResult(r: IteratorResult<unknown>): Uint8Array | undefined {
    throwIfAborted(this.#signal);
    if (r.done === true) {
      this.#done = true;
      return undefined;
    }
    const chunk = asChunk(r.value, this.#position);
    return chunk.length > 0 ? chunk : undefined;
  }

  #truncated(wanted: number, got: number, what: string): Error {
    const err = new StreamError(
      'STREAM_TRUNCATED',
      `input ends inside ${what}: needed ${wanted} bytes at byte ${this.#position - got}, ` +
        `only ${got} left`,
      { details: { position: this.#position, wanted, got } },
    );
    return this.#onTruncated === undefined ? err : this.#onTruncated(err);
  }

  /** Retire the open sub-stream: its unread bytes are owed to `#skip`. */
  #retireTake(): void {
    this.#epoch++;
    this.#skip += this.#takeLeft;
    this.#takeLeft = 0;
  }

  /** Discard the bytes an abandoned sub-stream left unread. */
  async #discard(): Promise<void> {
    const n = this.#skip;
    while (this.#skip > 0) {
      const chunk = await this.#pull();
      if (chunk === undefined) throw this.#truncated(n, n - this.#skip, 'a skipped payload');
      const take = Math.min(this.#skip, chunk.length);
      if (take < chunk.length) this.#pending = chunk.subarray(take);
      this.#skip -= take;
      this.#position += take;
    }
  }

  /**
   * Read exactly `n` bytes into a new array. `cap` bounds `n` (checked before reading,
   * `STREAM_LIMIT_EXCEEDED`); a short source gives `STREAM_TRUNCATED`.
   */
  async readExactly(n: number, cap: number, what = 'a read'): Promise<Uint8Array> {
    if (!Number.isSafeInteger(n) || n < 0 || n > cap) {
      throw new StreamError(
        'STREAM_LIMIT_EXCEEDED',
        `${what} of ${n} bytes exceeds its cap of ${cap} bytes`,
        { details: { wanted: n, cap } },
      );
    }
    this.#retireTake();
    await this.#discard();
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const chunk = await this.#pull();
      if (chunk === undefined) throw this.#truncated(n, got, what);
      const take = Math.min(n - got, chunk.length);
      out.set(take === chunk.length ? chunk : chunk.subarray(0, take), got);
      if (take < chunk.length) this.#pending = chunk.subarray(take);
      got += take;
      this.#position += take;
    }
    return out;
  }

  /**
   * The next `n` bytes as a sub-stream of subarrays of the source's chunks (no copies).
   * It ends after exactly `n` bytes, or fails with `STREAM_TRUNCATED` if the source
   * ends first. Any later read on this reader skips what it left unread, after which
   * the sub-stream fails with `STREAM_OUT_OF_ORDER`.
   */
  take(n: number, what = 'a payload'): AsyncIterable<Uint8Array> {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new StreamError('STREAM_LIMIT_EXCEEDED', `${what} size ${n} is not a safe integer`);
    }
    this.#retireTake();
    this.#takeLeft = n;
    const t: Take = { epoch: this.#epoch, n, what, delivered: 0, state: FRESH, turns: new Turns() };
    // Written by hand rather than as an async generator: this is the per-chunk hot path.
    const it: AsyncIterableIterator<Uint8Array, undefined, undefined> = {
      next: () => this.#takeNext(t),
      return: () => this.#takeReturn(t),
      [Symbol.asyncIterator]: () => it,
    };
    let started = false;
    return {
      [Symbol.asyncIterator]: () => {
        if (started) {
          throw new StreamError('STREAM_OUT_OF_ORDER', `${what} can be iterated only once`);
        }
        started = true;
        return it;
      },
    };
  }

  async #takeNext(t: Take): Promise<IteratorResult<Uint8Array, undefined>> {
    const wait = t.turns.acquire();
    if (wait !== undefined) await wait;
    try {
      if (t.state === FINISHED) return DONE;
      if (t.state === FRESH) {
        t.state = OPEN;
        if (this.#skip > 0) await this.#discard();
      }
      if (t.epoch === this.#epoch && this.#takeLeft > 0) {
        // #pull inlined: one async step per chunk on this path, not two.
        throwIfAborted(this.#signal);
        let chunk = this.#pending;
        if (chunk !== undefined) this.#pending = undefined;
        else {
          while (!this.#done) {
            chunk = this.#fromResult(await this.#it.next());
            if (chunk !== undefined) break;
          }
        }
        if (t.epoch === this.#epoch) {
          if (chunk === undefined) throw this.#truncated(t.n, t.n - this.#takeLeft, t.what);
          const left = this.#takeLeft;
          if (chunk.length > left) {
            // Split once: the head goes out, the tail waits for the next read.
            this.#pending = chunk.subarray(left);
            this.#takeLeft = 0;
            this.#position += left;
            t.delivered += left;
            return { done: false, value: chunk.subarray(0, left) };
          }
          this.#takeLeft = left - chunk.length;
          this.#position += chunk.length;
          t.delivered += chunk.length;
          return { done: false, value: chunk };
        }
      }
      t.state = FINISHED;
      if (t.delivered < t.n) {
        throw new StreamError(
          'STREAM_OUT_OF_ORDER',
          `${t.what} was read after a later part of the input; consume sub-streams in order`,
        );
      }
      return DONE;
    } catch (err) {
      t.state = FINISHED;
      throw err;
    } finally {
      t.turns.release();
    }
  }

  async #takeReturn(t: Take): Promise<IteratorResult<Uint8Array, undefined>> {
    const wait = t.turns.acquire();
    if (wait !== undefined) await wait;
    t.state = FINISHED;
    t.turns.release();
    return DONE;
  }

  /** Skip whatever the last sub-stream left unread. */
  async settle(): Promise<void> {
    this.#retireTake();
    await this.#discard();
  }

  /** True when the source has no more bytes (empty chunks are skipped). */
  async atEnd(): Promise<boolean> {
    await this.settle();
    const chunk = await this.#pull();
    if (chunk === undefined) return true;
    this.#pending = chunk;
    return false;
  }

  /** Stop the underlying source (calls its iterator's `return`). */
  async close(): Promise<void> {
    this.#pending = undefined;
    if (!this.#done) {
      this.#done = true;
      await this.#it.return?.();
    }
  }
}
