/**
 * The hand-written iterators that replaced async generators on the streaming hot path
 * (verifyStream, ByteReader.take) keep the generator contract: source closing, done after
 * an error, overlapping calls served in order, and no copies of the source's bytes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { ByteReader, verifyStream } from '@cairn/core';
import type { PayloadDigest } from '@cairn/core';
import { assertRejectsCode } from '@cairn/testkit';

function sha256(bytes: Uint8Array): PayloadDigest {
  return {
    algorithm: 'sha-256',
    value: new Uint8Array(createHash('sha256').update(bytes).digest()),
  };
}

/** `count` chunks of `size` bytes (chunk i filled with i); records what happened to it. */
function tracked(count: number, size: number) {
  const log = { opened: false, pulled: 0, closed: false };
  const chunks = Array.from({ length: count }, (_, i) => new Uint8Array(size).fill(i));
  async function* gen(): AsyncGenerator<Uint8Array, void, undefined> {
    log.opened = true;
    try {
      for (const c of chunks) {
        await Promise.resolve();
        log.pulled++;
        yield c;
      }
    } finally {
      log.closed = true;
    }
  }
  const whole = new Uint8Array(Buffer.concat(chunks));
  return { log, chunks, whole, source: { [Symbol.asyncIterator]: gen } };
}

describe('hot-path iterators keep the async generator contract', () => {
  test('verifyStream: a consumer break closes the source; return() before next() opens nothing', async () => {
    const a = tracked(4, 10);
    for await (const _ of verifyStream(a.source, { digest: sha256(a.whole), size: 40 })) break;
    assert.deepEqual(a.log, { opened: true, pulled: 1, closed: true });

    const b = tracked(4, 10);
    const it = verifyStream(b.source, { digest: sha256(b.whole), size: 40 })[
      Symbol.asyncIterator
    ]();
    assert.deepEqual(await it.return?.(), { done: true, value: undefined });
    assert.deepEqual(await it.next(), { done: true, value: undefined });
    assert.equal(b.log.opened, false);
  });

  test('verifyStream: PAYLOAD_TOO_LONG closes the source, and the stream is done after', async () => {
    const a = tracked(4, 10);
    const it = verifyStream(a.source, { digest: sha256(a.whole), size: 25 })[
      Symbol.asyncIterator
    ]();
    assert.equal((await it.next()).done, false);
    assert.equal((await it.next()).done, false);
    await assertRejectsCode(() => it.next(), 'PAYLOAD_TOO_LONG');
    assert.deepEqual(a.log, { opened: true, pulled: 3, closed: true });
    assert.deepEqual(await it.next(), { done: true, value: undefined });
  });

  test('overlapping next() calls are served in order (verifyStream and take)', async () => {
    const a = tracked(5, 3);
    const it = verifyStream(a.source, { digest: sha256(a.whole), size: 15 })[
      Symbol.asyncIterator
    ]();
    const results = await Promise.all(Array.from({ length: 7 }, () => it.next()));
    assert.deepEqual(
      results.map((r) => (r.done === true ? 'done' : r.value[0])),
      [0, 1, 2, 3, 4, 'done', 'done'],
    );

    const b = tracked(5, 3);
    const reader = new ByteReader(b.source);
    const sub = reader.take(14)[Symbol.asyncIterator]();
    const parts = await Promise.all(Array.from({ length: 6 }, () => sub.next()));
    assert.deepEqual(
      parts.map((r) => (r.done === true ? 'done' : `${r.value[0]}x${r.value.length}`)),
      ['0x3', '1x3', '2x3', '3x3', '4x2', 'done'],
    );
    assert.deepEqual(await reader.readExactly(1, 1), Uint8Array.of(4));
    assert.equal(await reader.atEnd(), true);
  });

  test('take hands out views of the source chunks (no copies), split once at its end', async () => {
    const a = tracked(3, 1000);
    const reader = new ByteReader(a.source);
    const seen: Uint8Array[] = [];
    for await (const c of reader.take(2500)) seen.push(c);
    assert.deepEqual(
      seen.map((c) => [a.chunks.findIndex((s) => s.buffer === c.buffer), c.byteOffset, c.length]),
      [
        [0, 0, 1000],
        [1, 0, 1000],
        [2, 0, 500],
      ],
    );
    const rest = reader.take(500);
    for await (const c of rest)
      assert.deepEqual([c.buffer === a.chunks[2]!.buffer, c.byteOffset], [true, 500]);
    assert.equal(await reader.atEnd(), true);
  });
});
