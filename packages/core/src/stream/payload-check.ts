/**
 * The per-chunk checks of streaming verification, without any iteration of its own: the
 * pass-through iterator, `consumeAndVerify` and `verifyBundle` drive it directly, so a
 * chunk goes through one async layer instead of one per stacked generator.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { asChunk, StreamError, throwIfAborted } from './errors.js';

export interface ExpectedDigest {
  readonly algorithm: string;
  readonly value: Uint8Array;
}

export class PayloadCheck {
  readonly #size: number;
  readonly #hash: Hash | undefined;
  readonly #expected: ExpectedDigest | undefined;
  readonly #signal: AbortSignal | undefined;
  #count = 0;

  constructor(
    size: number,
    hash: Hash | undefined,
    expected: ExpectedDigest | undefined,
    signal: AbortSignal | undefined,
  ) {
    this.#size = size;
    this.#hash = hash;
    this.#expected = expected;
    this.#signal = signal;
  }

  /** The declared size. */
  get size(): number {
    return this.#size;
  }

  /** Before the first chunk is asked for: `STREAM_ABORTED` if the signal has fired. */
  start(): void {
    throwIfAborted(this.#signal);
  }

  /**
   * One chunk from the source: `STREAM_ABORTED`, `STREAM_INVALID_CHUNK`, or
   * `PAYLOAD_TOO_LONG` before the chunk is counted or hashed. Returns it typed.
   */
  accept(raw: unknown): Uint8Array {
    throwIfAborted(this.#signal);
    const count = this.#count;
    const chunk = asChunk(raw, count);
    if (chunk.length > this.#size - count) {
      throw new StreamError(
        'PAYLOAD_TOO_LONG',
        `payload is longer than its declared size of ${this.#size} bytes ` +
          `(${count + chunk.length} bytes received); refusing the rest`,
        { details: { size: this.#size, received: count + chunk.length } },
      );
    }
    this.#count = count + chunk.length;
    this.#hash?.update(chunk);
    return chunk;
  }

  /** The source has ended: `STREAM_ABORTED`, `PAYLOAD_TOO_SHORT` or `PAYLOAD_DIGEST_MISMATCH`. */
  finish(): void {
    throwIfAborted(this.#signal);
    const size = this.#size;
    if (this.#count < size) {
      throw new StreamError(
        'PAYLOAD_TOO_SHORT',
        `payload ended after ${this.#count} of its declared ${size} bytes`,
        { details: { size, received: this.#count } },
      );
    }
    const expected = this.#expected;
    if (this.#hash !== undefined && expected !== undefined) {
      const actual = this.#hash.digest();
      if (!timingSafeEqual(actual, expected.value)) {
        throw new StreamError(
          'PAYLOAD_DIGEST_MISMATCH',
          `payload ${expected.algorithm} digest ${actual.toString('hex')} is not the declared ` +
            `${Buffer.from(expected.value).toString('hex')}; the payload is corrupt or not the one signed`,
          { details: { algorithm: expected.algorithm, size } },
        );
      }
    }
  }
}
