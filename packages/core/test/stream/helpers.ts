import { createHash, randomBytes } from 'node:crypto';
import type { PayloadDigest } from '@cairn/core';

/** Yields `bytes` cut at the given chunk sizes (cycled), e.g. [1] = byte by byte. */
export async function* chunked(
  bytes: Uint8Array,
  sizes: readonly number[] = [bytes.length || 1],
): AsyncGenerator<Uint8Array, void, undefined> {
  let at = 0;
  let i = 0;
  await Promise.resolve();
  while (at < bytes.length) {
    const n = Math.max(1, sizes[i++ % sizes.length] ?? 1);
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

/** Yields the given chunks as they are (including empty ones). */
export async function* fromChunks(
  chunks: readonly Uint8Array[],
): AsyncGenerator<Uint8Array, void, undefined> {
  for (const c of chunks) {
    await Promise.resolve();
    yield c;
  }
}

/** Reads a whole stream into one array. */
export async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of source) parts.push(Uint8Array.from(c));
  return new Uint8Array(Buffer.concat(parts));
}

export function sha256(bytes: Uint8Array): PayloadDigest {
  return {
    algorithm: 'sha-256',
    value: new Uint8Array(createHash('sha256').update(bytes).digest()),
  };
}

export function random(n: number): Uint8Array {
  return new Uint8Array(randomBytes(n));
}

/** An endless source of `chunkSize`-byte chunks that counts the bytes it handed out. */
export function endless(chunkSize: number): {
  source: AsyncIterable<Uint8Array>;
  readonly delivered: number;
} {
  const state = { delivered: 0 };
  const chunk = new Uint8Array(chunkSize).fill(0x5a);
  async function* gen(): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      await Promise.resolve();
      state.delivered += chunk.length;
      yield chunk;
    }
  }
  return {
    source: gen(),
    get delivered() {
      return state.delivered;
    },
  };
}
