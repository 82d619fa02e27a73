// Messages between a PKCS#11 store and its sign threads. Jobs and results travel packed
// in one ArrayBuffer per batch that is transferred, not copied: a structured clone of a
// Buffer would copy its whole 8 KiB pool slab, and one message per job costs microseconds
// of main-thread time each.
import type { KeyType } from '@cairn/core';

const TYPES: readonly KeyType[] = ['ecdsa-p256', 'ecdsa-p384', 'ed25519', 'rsa-pss-3072'];

/** Index of the shared Int32Array cell holding the session pool's generation. */
export const GEN = 0;
/** Index of the shared cell that is 1 once the store is closing (threads skip their jobs). */
export const CLOSING = 1;
/** Index of the shared cell holding the latest generation that re-initialised the library. */
export const REINIT = 2;
export const SHARED_CELLS = 3;

/** The workerData of a sign thread. */
export interface SignThreadData {
  readonly module: string;
  /** Int32Array cells GEN, CLOSING and REINIT, written by the main thread. */
  readonly shared: SharedArrayBuffer;
}

/** What the thread needs to sign: object handles are valid in any session of the process. */
export interface Job {
  readonly id: number;
  /** Session pool generation the slot and key handles belong to. */
  readonly gen: number;
  readonly slot: Uint8Array;
  readonly key: Uint8Array;
  readonly type: KeyType;
  readonly data: Uint8Array;
}

export interface Result {
  readonly id: number;
  /** The signature, or undefined when `error` is set. */
  readonly sig: Uint8Array | undefined;
  /** The error message: a CKR_ name for PKCS#11 failures. */
  readonly error: string | undefined;
}

export type ToThread = { readonly t: 'jobs'; readonly buf: ArrayBuffer } | { readonly t: 'close' };

export type FromThread =
  | { readonly t: 'ready' }
  | { readonly t: 'failed'; readonly error: string }
  | { readonly t: 'results'; readonly buf: ArrayBuffer };

const JOB_HEADER = 4 + 4 + 1 + 1 + 1 + 4;

/** Pack jobs into a fresh (transferable, unpooled) buffer. */
export function encodeJobs(jobs: readonly Job[]): ArrayBuffer {
  let size = 4;
  for (const j of jobs) size += JOB_HEADER + j.slot.length + j.key.length + j.data.length;
  const b = Buffer.allocUnsafeSlow(size);
  let o = b.writeUInt32LE(jobs.length, 0);
  for (const j of jobs) {
    o = b.writeUInt32LE(j.id, o);
    o = b.writeUInt32LE(j.gen, o);
    o = b.writeUInt8(TYPES.indexOf(j.type), o);
    o = b.writeUInt8(j.slot.length, o);
    o = b.writeUInt8(j.key.length, o);
    o = b.writeUInt32LE(j.data.length, o);
    b.set(j.slot, o);
    o += j.slot.length;
    b.set(j.key, o);
    o += j.key.length;
    b.set(j.data, o);
    o += j.data.length;
  }
  return b.buffer;
}

/** A decoded job: its byte fields are Buffer views into the batch. */
export interface DecodedJob extends Job {
  readonly slot: Buffer;
  readonly key: Buffer;
  readonly data: Buffer;
}

/** Unpack jobs; their byte fields are views into `buf`. */
export function decodeJobs(buf: ArrayBuffer): DecodedJob[] {
  const b = Buffer.from(buf);
  const n = b.readUInt32LE(0);
  const out: DecodedJob[] = [];
  let o = 4;
  for (let i = 0; i < n; i++) {
    const id = b.readUInt32LE(o);
    const gen = b.readUInt32LE(o + 4);
    const type = TYPES[b.readUInt8(o + 8)];
    const slotLen = b.readUInt8(o + 9);
    const keyLen = b.readUInt8(o + 10);
    const dataLen = b.readUInt32LE(o + 11);
    o += JOB_HEADER;
    if (type === undefined) throw new Error('sign thread: unknown key type in job');
    const slot = b.subarray(o, (o += slotLen));
    const key = b.subarray(o, (o += keyLen));
    const data = b.subarray(o, (o += dataLen));
    out.push({ id, gen, type, slot, key, data });
  }
  return out;
}

const RESULT_HEADER = 4 + 1 + 4;

/** Pack results into a fresh transferable buffer. */
export function encodeResults(results: readonly Result[]): ArrayBuffer {
  const bodies = results.map((r) => r.sig ?? Buffer.from(r.error ?? 'unknown error'));
  let size = 4;
  for (const body of bodies) size += RESULT_HEADER + body.length;
  const b = Buffer.allocUnsafeSlow(size);
  let o = b.writeUInt32LE(results.length, 0);
  results.forEach((r, i) => {
    const body = bodies[i]!;
    o = b.writeUInt32LE(r.id, o);
    o = b.writeUInt8(r.sig === undefined ? 0 : 1, o);
    o = b.writeUInt32LE(body.length, o);
    b.set(body, o);
    o += body.length;
  });
  return b.buffer;
}

/** Unpack results; each signature is its own copy. */
export function decodeResults(buf: ArrayBuffer): Result[] {
  const b = Buffer.from(buf);
  const n = b.readUInt32LE(0);
  const out: Result[] = [];
  let o = 4;
  for (let i = 0; i < n; i++) {
    const id = b.readUInt32LE(o);
    const ok = b.readUInt8(o + 4) === 1;
    const len = b.readUInt32LE(o + 5);
    o += RESULT_HEADER;
    const body = b.subarray(o, (o += len));
    out.push(
      ok
        ? { id, sig: new Uint8Array(body), error: undefined }
        : { id, sig: undefined, error: body.toString('utf8') },
    );
  }
  return out;
}
