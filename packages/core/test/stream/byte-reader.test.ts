import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ByteReader } from '@cairn/core';
import { assertRejectsCode } from '@cairn/testkit';
import { chunked, collect, endless, fromChunks, random } from './helpers.js';

describe('ByteReader', () => {
  test('readExactly then take then atEnd, over any chunking (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        fc.nat(),
        async (bytes, sizes, a, b) => {
          const headLen = bytes.length === 0 ? 0 : a % (bytes.length + 1);
          const bodyLen = bytes.length - headLen === 0 ? 0 : b % (bytes.length - headLen + 1);
          const r = new ByteReader(chunked(bytes, sizes));
          assert.deepEqual(await r.readExactly(headLen, 300), bytes.subarray(0, headLen));
          assert.deepEqual(
            await collect(r.take(bodyLen)),
            bytes.subarray(headLen, headLen + bodyLen),
          );
          assert.equal(r.position, headLen + bodyLen);
          assert.equal(await r.atEnd(), headLen + bodyLen === bytes.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  test('readExactly refuses a length over its cap before reading anything', async () => {
    const src = endless(10);
    const r = new ByteReader(src.source);
    await assertRejectsCode(() => r.readExactly(1001, 1000), 'STREAM_LIMIT_EXCEEDED');
    assert.equal(src.delivered, 0);
  });

  test('a short source gives STREAM_TRUNCATED', async () => {
    const r = new ByteReader(chunked(random(10), [3]));
    await assertRejectsCode(() => r.readExactly(11, 100), 'STREAM_TRUNCATED');
    const r2 = new ByteReader(chunked(random(10), [3]));
    await assertRejectsCode(() => collect(r2.take(11)), 'STREAM_TRUNCATED');
  });

  test('take does not read past its end (the rest stays for the next read)', async () => {
    const src = endless(8);
    const r = new ByteReader(src.source);
    const part = await collect(r.take(12));
    assert.equal(part.length, 12);
    assert.equal(src.delivered, 16);
    assert.deepEqual(await r.readExactly(4, 4), new Uint8Array(4).fill(0x5a));
    assert.equal(src.delivered, 16);
  });

  test('a later read skips what a sub-stream left; the stale sub-stream then fails', async () => {
    const bytes = Uint8Array.from({ length: 30 }, (_, i) => i);
    const r = new ByteReader(chunked(bytes, [4]));
    const first = r.take(10)[Symbol.asyncIterator]();
    const c = await first.next();
    assert.deepEqual(c.value, Uint8Array.of(0, 1, 2, 3));
    assert.deepEqual(await collect(r.take(5)), Uint8Array.of(10, 11, 12, 13, 14));
    await assertRejectsCode(() => first.next(), 'STREAM_OUT_OF_ORDER');
    const never = r.take(5);
    assert.deepEqual(await r.readExactly(2, 2), Uint8Array.of(20, 21));
    await assertRejectsCode(() => collect(never), 'STREAM_OUT_OF_ORDER');
  });

  test('empty chunks are skipped; atEnd is true on a source of only empty chunks', async () => {
    const e = new Uint8Array(0);
    const r = new ByteReader(fromChunks([e, Uint8Array.of(1), e, e, Uint8Array.of(2, 3), e]));
    assert.deepEqual(await r.readExactly(3, 3), Uint8Array.of(1, 2, 3));
    assert.equal(await r.atEnd(), true);
  });

  test('close() calls the source iterator return', async () => {
    let closed = false;
    async function* src(): AsyncGenerator<Uint8Array> {
      try {
        for (;;) {
          await Promise.resolve();
          yield Uint8Array.of(1);
        }
      } finally {
        closed = true;
      }
    }
    const r = new ByteReader(src());
    await r.readExactly(2, 2);
    await r.close();
    assert.equal(closed, true);
  });

  test('abort signal stops reads with STREAM_ABORTED', async () => {
    const ac = new AbortController();
    const r = new ByteReader(endless(1).source, { signal: ac.signal });
    await r.readExactly(1, 1);
    ac.abort();
    await assertRejectsCode(() => r.readExactly(1, 1), 'STREAM_ABORTED');
  });
});
