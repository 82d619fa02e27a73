/**
 * Streaming payload verification: pass chunks through (so the caller can write them
 * into an inactive slot) while counting and hashing them, with constant memory.
 *
 * A stream returned by `verifyStream` has verified the payload only when iteration
 * completes without throwing: the last chunk is handed out before the digest can be
 * checked. Callers must treat what they wrote as untrusted until then (and never
 * activate a slot whose write loop ended by `break` or an error).
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../errors/base-error.js';
import type { FieldIssue } from '../errors/base-error.js';
import { asChunk, StreamError, throwIfAborted } from './errors.js';
import { closeQuietly, PassThrough } from './pass-through.js';
import { PayloadCheck } from './payload-check.js';

export type DigestAlgorithm = 'sha-256' | 'sha-384' | 'sha-512';

export interface PayloadDigest {
  readonly algorithm: DigestAlgorithm;
  readonly value: Uint8Array;
}

export interface VerifyStreamOptions {
  /** The digest the payload must have (from the signed manifest). */
  readonly digest: PayloadDigest;
  /** The exact payload size in bytes (from the signed manifest). */
  readonly size: number | bigint;
  readonly signal?: AbortSignal;
}

export interface DigestStreamOptions {
  readonly algorithm: DigestAlgorithm;
  /** Stop with `PAYLOAD_TOO_LONG` once more than this many bytes arrive. Default: no cap. */
  readonly maxBytes?: number;
  readonly signal?: AbortSignal;
}

export interface StreamDigest {
  readonly algorithm: DigestAlgorithm;
  readonly value: Uint8Array;
  readonly size: number;
}

const NODE_HASH: Readonly<Record<DigestAlgorithm, { name: string; length: number }>> =
  Object.freeze({
    'sha-256': { name: 'sha256', length: 32 },
    'sha-384': { name: 'sha384', length: 48 },
    'sha-512': { name: 'sha512', length: 64 },
  });

/** Byte length of a digest made with `algorithm`. */
export function digestLength(algorithm: DigestAlgorithm): number {
  return NODE_HASH[algorithm].length;
}

function isDigestAlgorithm(a: unknown): a is DigestAlgorithm {
  return typeof a === 'string' && Object.hasOwn(NODE_HASH, a);
}

/** Validates a declared size; returns it as a number or pushes an issue. */
function checkSize(size: unknown, path: string, issues: FieldIssue[]): number {
  if (typeof size === 'bigint') {
    if (size >= 0n && size <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(size);
  } else if (typeof size === 'number' && Number.isSafeInteger(size) && size >= 0) {
    return size;
  }
  issues.push({ path, problem: 'must be an integer from 0 to 2^53-1' });
  return 0;
}

/** Validates `{ size }` alone (used by writers that only count). Returns the size. */
export function assertPayloadSize(size: number | bigint, what = 'payload size'): number {
  const issues: FieldIssue[] = [];
  const n = checkSize(size, 'size', issues);
  if (issues.length > 0) throw new ValidationError(what, issues);
  return n;
}

function assertVerifyOptions(opts: VerifyStreamOptions): number {
  const issues: FieldIssue[] = [];
  const size = checkSize(opts.size, 'size', issues);
  const alg: unknown = opts.digest.algorithm;
  if (!isDigestAlgorithm(alg)) {
    issues.push({ path: 'digest.algorithm', problem: 'must be sha-256, sha-384 or sha-512' });
  } else if (
    !(opts.digest.value instanceof Uint8Array) ||
    opts.digest.value.length !== NODE_HASH[alg].length
  ) {
    issues.push({
      path: 'digest.value',
      problem: `must be ${NODE_HASH[alg].length} bytes for ${alg}`,
    });
  }
  if (issues.length > 0) throw new ValidationError('stream verification options', issues);
  return size;
}

/**
 * Pass `source` through unchanged while counting and hashing it. Throws `PAYLOAD_TOO_LONG`
 * as soon as a chunk would take the count past `size` (that chunk is not yielded),
 * `PAYLOAD_TOO_SHORT` if the source ends early, `PAYLOAD_DIGEST_MISMATCH` at the end.
 * Holds no more than the chunk in hand. Options are validated when called.
 */
export function verifyStream(
  source: AsyncIterable<Uint8Array>,
  opts: VerifyStreamOptions,
): AsyncIterable<Uint8Array> {
  return new PassThrough(source, createPayloadCheck(opts));
}

/**
 * Pass `source` through while checking only that it is exactly `size` bytes
 * (`PAYLOAD_TOO_LONG` / `PAYLOAD_TOO_SHORT`). For writers; readers want `verifyStream`.
 */
export function exactSizeStream(
  source: AsyncIterable<Uint8Array>,
  size: number | bigint,
  signal?: AbortSignal,
): AsyncIterable<Uint8Array> {
  return new PassThrough(
    source,
    new PayloadCheck(assertPayloadSize(size), undefined, undefined, signal),
  );
}

/** Hash a whole source with constant memory; returns digest and byte count. */
export async function digestStream(
  source: AsyncIterable<Uint8Array>,
  opts: DigestStreamOptions,
): Promise<StreamDigest> {
  const alg: unknown = opts.algorithm;
  const issues: FieldIssue[] = [];
  if (!isDigestAlgorithm(alg)) {
    issues.push({ path: 'algorithm', problem: 'must be sha-256, sha-384 or sha-512' });
  }
  const cap = opts.maxBytes === undefined ? Infinity : checkSize(opts.maxBytes, 'maxBytes', issues);
  if (issues.length > 0 || !isDigestAlgorithm(alg)) {
    throw new ValidationError('digest options', issues);
  }
  const hash = createHash(NODE_HASH[alg].name);
  let count = 0;
  throwIfAborted(opts.signal);
  for await (const raw of source) {
    throwIfAborted(opts.signal);
    const chunk = asChunk(raw, count);
    if (chunk.length > cap - count) {
      throw new StreamError(
        'PAYLOAD_TOO_LONG',
        `stream is longer than the cap of ${cap} bytes; refusing the rest`,
        { details: { cap } },
      );
    }
    count += chunk.length;
    hash.update(chunk);
  }
  return { algorithm: alg, value: new Uint8Array(hash.digest()), size: count };
}

/** Drain `source` through `verifyStream`; resolves once size and digest are verified. */
export async function consumeAndVerify(
  source: AsyncIterable<Uint8Array>,
  opts: VerifyStreamOptions,
): Promise<{ readonly size: number }> {
  const check = createPayloadCheck(opts);
  await drainChecked(source, check);
  return { size: check.size };
}

/**
 * Read `source` to its end through `check` with no pass-through layer: the same checks,
 * errors and source handling as draining `verifyStream`, one async step per chunk.
 */
export async function drainChecked(
  source: AsyncIterable<unknown>,
  check: PayloadCheck,
): Promise<void> {
  check.start();
  const it = source[Symbol.asyncIterator]();
  for (;;) {
    const r = await it.next();
    if (r.done === true) break;
    try {
      check.accept(r.value);
    } catch (err) {
      await closeQuietly(it);
      throw err;
    }
  }
  check.finish();
}

/** Validates `opts` (`ValidationError`, every bad field) and returns their check. */
export function createPayloadCheck(opts: VerifyStreamOptions): PayloadCheck {
  const size = assertVerifyOptions(opts);
  const { digest, signal } = opts;
  return new PayloadCheck(size, createHash(NODE_HASH[digest.algorithm].name), digest, signal);
}
