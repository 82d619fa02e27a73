/**
 * The measured cases of the streaming benchmarks, shared by the timed benchmark
 * (stream.bench.ts) and the instruction count (stream-instructions.ts): raw node:crypto
 * SHA-256, verifyStream, verifyBundle, and verifyBundle with an `onPayload` consumer,
 * all over the same 64 KiB chunk object, from a hand-written source that costs as little
 * as a source can (so the overhead measured is ours, not the source's).
 */
import { createHash, randomBytes } from 'node:crypto';
import { consumeAndVerify, verifyBundle, writeBundle } from '@cairn/core';
import type { PayloadDigest } from '@cairn/core';

export const MiB = 1024 * 1024;
export const CHUNK = 64 * 1024;
export const CASES = ['raw', 'verifyStream', 'verifyBundle', 'verifyBundle+onPayload'] as const;
export type CaseName = (typeof CASES)[number];

/** Called for every chunk a source hands out (the memory probe samples here). */
export type Tick = () => void;

const chunk = new Uint8Array(randomBytes(CHUNK));

/** `n` chunks (after `head`, if given) as a plain async iterator: no generator, no await. */
function source(n: number, tick: Tick, head?: Uint8Array): AsyncIterable<Uint8Array> {
  let i = head === undefined ? 0 : -1;
  const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
  return {
    [Symbol.asyncIterator]: () => ({
      next: (): Promise<IteratorResult<Uint8Array, undefined>> => {
        if (i >= n) return Promise.resolve(done);
        tick();
        const value = i++ < 0 && head !== undefined ? head : chunk;
        return Promise.resolve({ done: false, value });
      },
    }),
  };
}

function digestOf(n: number): PayloadDigest {
  const h = createHash('sha256');
  for (let i = 0; i < n; i++) h.update(chunk);
  return { algorithm: 'sha-256', value: new Uint8Array(h.digest()) };
}

async function headOf(digest: PayloadDigest, size: number): Promise<Uint8Array> {
  // The bundle head, taken from the writer's first chunk (the payload is not generated).
  const it = writeBundle({
    envelope: Uint8Array.of(0xd8, 0x6b, 0xa0),
    payloads: [{ componentIndex: 0, size, source: source(0, () => undefined), digest }],
  })[Symbol.asyncIterator]();
  const first = await it.next();
  await it.return?.();
  return first.value as Uint8Array;
}

export type Run = (tick: Tick) => Promise<void>;

/**
 * The runs of every case over `bytes` (a multiple of 64 KiB). With `digest: 'zero'` the
 * expected digest is all zeros and a run ends in the expected PAYLOAD_DIGEST_MISMATCH
 * (for instruction counts, so the expected digest need not be computed first).
 */
export async function makeRuns(
  bytes: number,
  digest: 'real' | 'zero' = 'real',
): Promise<Record<CaseName, Run>> {
  const n = bytes / CHUNK;
  const expected: PayloadDigest =
    digest === 'real' ? digestOf(n) : { algorithm: 'sha-256', value: new Uint8Array(32) };
  const head = await headOf(expected, bytes);
  const manifest = { components: [{ index: 0, digest: expected, size: bytes }] };
  const settle = (p: Promise<unknown>): Promise<void> =>
    p.then(
      () => {
        if (digest === 'zero') throw new Error('a zero digest was accepted');
      },
      (err: unknown) => {
        if (digest === 'real' || (err as { code?: unknown }).code !== 'PAYLOAD_DIGEST_MISMATCH') {
          throw err;
        }
      },
    );
  return {
    raw: (tick) => {
      // The baseline also pulls its chunks from the same source, so only our layers differ.
      const h = createHash('sha256');
      const it = source(n, tick)[Symbol.asyncIterator]();
      return (async () => {
        for (;;) {
          const r = await it.next();
          if (r.done === true) break;
          h.update(r.value);
        }
        h.digest();
      })();
    },
    verifyStream: (tick) =>
      settle(consumeAndVerify(source(n, tick), { digest: expected, size: bytes })),
    verifyBundle: (tick) =>
      settle(verifyBundle(source(n, tick, head), { verifyEnvelope: () => manifest })),
    'verifyBundle+onPayload': (tick) =>
      settle(
        verifyBundle(source(n, tick, head), {
          verifyEnvelope: () => manifest,
          onPayload: async (p) => {
            let got = 0;
            for await (const c of p.stream) got += c.length;
            if (got !== p.size) throw new Error(`consumer got ${got} of ${p.size} bytes`);
          },
        }),
      ),
  };
}
