import { BaseError } from '../errors/base-error.js';

/**
 * - `PAYLOAD_TOO_LONG`: the source delivered more bytes than the declared size (raised
 *   before the offending bytes are passed on, so "endless data" is cut off).
 * - `PAYLOAD_TOO_SHORT`: the source ended before the declared size was reached.
 * - `PAYLOAD_DIGEST_MISMATCH`: the size is right but the digest is not the declared one.
 * - `STREAM_TRUNCATED`: a `ByteReader` read needed more bytes than the source had.
 * - `STREAM_LIMIT_EXCEEDED`: a read asked for more bytes than its cap allows.
 * - `STREAM_INVALID_CHUNK`: the source yielded something that is not a Uint8Array.
 * - `STREAM_ABORTED`: the caller's AbortSignal fired.
 * - `STREAM_OUT_OF_ORDER`: a sub-stream was read after a later read on the same reader.
 */
export type StreamErrorCode =
  | 'PAYLOAD_TOO_LONG'
  | 'PAYLOAD_TOO_SHORT'
  | 'PAYLOAD_DIGEST_MISMATCH'
  | 'STREAM_TRUNCATED'
  | 'STREAM_LIMIT_EXCEEDED'
  | 'STREAM_INVALID_CHUNK'
  | 'STREAM_ABORTED'
  | 'STREAM_OUT_OF_ORDER';

export class StreamError extends BaseError<StreamErrorCode> {}

/** Throws `STREAM_ABORTED` (with the signal's reason as cause) if `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new StreamError('STREAM_ABORTED', 'stream aborted by the caller', {
      cause: signal.reason,
    });
  }
}

/** Checks that a chunk from a caller's source is bytes; returns it typed. */
export function asChunk(chunk: unknown, position: number): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  throw new StreamError(
    'STREAM_INVALID_CHUNK',
    `source yielded a ${typeof chunk} at byte ${position}, expected Uint8Array chunks ` +
      '(open Node streams without an encoding)',
    { details: { position } },
  );
}
