/**
 * A pull reader over an `AsyncIterable<Uint8Array>` that reads exact byte counts with a
 * cap (for headers) and hands out exact-length sub-streams (for payloads) without
 * consuming anything past them. It keeps at most one partly used chunk.
 */
import { asChunk, StreamError, throwIfAborted } from './errors.js';

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
      const r = await this.#it.next();
      throwIfAborted(this.#signal);
      if (r.done === true) {
        this.#done = true;
        return undefined;
      }
      const chunk = asChunk(r.value, this.#position);
      if (chunk.length > 0) return chunk;
    }
    return undefined;
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
    const epoch = this.#epoch;
    let started = false;
    return {
      [Symbol.asyncIterator]: () => {
        if (started) {
          throw new StreamError('STREAM_OUT_OF_ORDER', `${what} can be iterated only once`);
        }
        started = true;
        return this.#takeIterator(epoch, n, what);
      },
    };
  }

  async *#takeIterator(
    epoch: number,
    n: number,
    what: string,
  ): AsyncGenerator<Uint8Array, void, undefined> {
    await this.#discard();
    let delivered = 0;
    while (epoch === this.#epoch && this.#takeLeft > 0) {
      const chunk = await this.#pull();
      if (epoch !== this.#epoch) break;
      if (chunk === undefined) throw this.#truncated(n, n - this.#takeLeft, what);
      const take = Math.min(this.#takeLeft, chunk.length);
      if (take < chunk.length) this.#pending = chunk.subarray(take);
      this.#takeLeft -= take;
      this.#position += take;
      delivered += take;
      yield take === chunk.length ? chunk : chunk.subarray(0, take);
    }
    if (delivered < n) {
      throw new StreamError(
        'STREAM_OUT_OF_ORDER',
        `${what} was read after a later part of the input; consume sub-streams in order`,
      );
    }
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
