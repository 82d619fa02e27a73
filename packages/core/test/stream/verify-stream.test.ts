import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  consumeAndVerify,
  digestStream,
  exactSizeStream,
  StreamError,
  verifyStream,
} from '@cairn/core';
import type { DigestAlgorithm } from '@cairn/core';
import { assertRejectsCode, assertThrowsCode } from '@cairn/testkit';
import { chunked, collect, endless, fromChunks, random, sha256 } from './helpers.js';

describe('verifyStream', () => {
  const data = random(10_000);

  test('passes every chunk through unchanged and verifies size and digest', async () => {
    const out = await collect(
      verifyStream(chunked(data, [1000, 7, 3000]), { digest: sha256(data), size: data.length }),
    );
    assert.deepEqual(out, data);
  });

  for (const algorithm of [
    'sha-256',
    'sha-384',
    'sha-512',
  ] as const satisfies readonly DigestAlgorithm[]) {
    test(`verifies ${algorithm}`, async () => {
      const value = new Uint8Array(createHash(algorithm.replace('-', '')).update(data).digest());
      const res = await consumeAndVerify(chunked(data, [4096]), {
        digest: { algorithm, value },
        size: BigInt(data.length),
      });
      assert.equal(res.size, data.length);
      const flipped = Uint8Array.from(data);
      flipped[5000]! ^= 1;
      await assertRejectsCode(
        () =>
          consumeAndVerify(chunked(flipped, [4096]), {
            digest: { algorithm, value },
            size: data.length,
          }),
        'PAYLOAD_DIGEST_MISMATCH',
      );
    });
  }

  test('a zero-length payload verifies (empty source or only empty chunks)', async () => {
    const empty = new Uint8Array(0);
    assert.deepEqual(await consumeAndVerify(fromChunks([]), { digest: sha256(empty), size: 0 }), {
      size: 0,
    });
    assert.deepEqual(
      await consumeAndVerify(fromChunks([empty, empty]), { digest: sha256(empty), size: 0 }),
      { size: 0 },
    );
  });

  test('PAYLOAD_TOO_SHORT when the source ends early, after passing what it had', async () => {
    const seen: number[] = [];
    await assertRejectsCode(async () => {
      for await (const c of verifyStream(chunked(data.subarray(0, 9999), [1000]), {
        digest: sha256(data),
        size: data.length,
      })) {
        seen.push(c.length);
      }
    }, 'PAYLOAD_TOO_SHORT');
    assert.equal(
      seen.reduce((a, b) => a + b, 0),
      9999,
    );
  });

  test('PAYLOAD_TOO_LONG before the offending chunk is yielded', async () => {
    let passed = 0;
    await assertRejectsCode(async () => {
      for await (const c of verifyStream(chunked(random(10_001), [1000]), {
        digest: sha256(data),
        size: data.length,
      })) {
        passed += c.length;
      }
    }, 'PAYLOAD_TOO_LONG');
    assert.equal(passed, 10_000, 'the 10 full chunks pass, the 1-byte overflow chunk does not');
  });

  test('endless data: stops after reading exactly size + 1 bytes (1-byte chunks)', async () => {
    const src = endless(1);
    const size = 4096;
    let passed = 0;
    await assertRejectsCode(async () => {
      for await (const c of verifyStream(src.source, {
        digest: sha256(new Uint8Array(size)),
        size,
      }))
        passed += c.length;
    }, 'PAYLOAD_TOO_LONG');
    assert.equal(passed, size);
    assert.equal(src.delivered, size + 1);
  });

  test('endless data with big chunks: reads at most one chunk past the size', async () => {
    const src = endless(65_536);
    const size = 100_000;
    await assertRejectsCode(
      () => consumeAndVerify(src.source, { digest: sha256(new Uint8Array(size)), size }),
      'PAYLOAD_TOO_LONG',
    );
    assert.ok(src.delivered <= size + 65_536, `read ${src.delivered} bytes`);
    assert.equal(src.delivered, 131_072);
  });

  test('options are validated when called, every bad field at once', () => {
    const err = assertThrowsCode(
      () =>
        verifyStream(fromChunks([]), {
          digest: { algorithm: 'sha-256', value: new Uint8Array(31) },
          size: -1,
        }),
      'INVALID_INPUT',
    );
    assert.match(err.message, /size/);
    assert.match(err.message, /digest\.value/);
    assertThrowsCode(
      () =>
        verifyStream(fromChunks([]), {
          digest: { algorithm: 'md5' as DigestAlgorithm, value: new Uint8Array(16) },
          size: 0,
        }),
      'INVALID_INPUT',
    );
    assertThrowsCode(
      () => verifyStream(fromChunks([]), { digest: sha256(data), size: 2n ** 53n }),
      'INVALID_INPUT',
    );
  });

  test('a chunk that is not bytes is refused with STREAM_INVALID_CHUNK', async () => {
    async function* strings(): AsyncGenerator {
      await Promise.resolve();
      yield 'text';
    }
    await assertRejectsCode(
      () =>
        consumeAndVerify(strings() as AsyncIterable<Uint8Array>, { digest: sha256(data), size: 4 }),
      'STREAM_INVALID_CHUNK',
    );
  });

  test('an AbortSignal stops the stream with STREAM_ABORTED and the reason as cause', async () => {
    const ac = new AbortController();
    let n = 0;
    const err = await assertRejectsCode(async () => {
      for await (const _ of verifyStream(endless(16).source, {
        digest: sha256(data),
        size: 1_000_000,
        signal: ac.signal,
      })) {
        if (++n === 3) ac.abort(new Error('user cancelled'));
      }
    }, 'STREAM_ABORTED');
    assert.equal(n, 3);
    assert.ok(err instanceof StreamError);
    assert.equal((err.cause as Error).message, 'user cancelled');
  });

  test('any chunking of the same bytes gives the same result (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 600 }),
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: -2, max: 2 }),
        fc.boolean(),
        async (bytes, sizes, sizeDelta, corrupt) => {
          const digest = sha256(bytes);
          const declared = Math.max(0, bytes.length + sizeDelta);
          const input = Uint8Array.from(bytes);
          if (corrupt && input.length > 0) input[input.length >> 1]! ^= 0x80;
          const expected =
            declared < input.length
              ? 'PAYLOAD_TOO_LONG'
              : declared > input.length
                ? 'PAYLOAD_TOO_SHORT'
                : corrupt && input.length > 0
                  ? 'PAYLOAD_DIGEST_MISMATCH'
                  : 'OK';
          const run = async (src: AsyncIterable<Uint8Array>): Promise<string> => {
            try {
              const out = await collect(verifyStream(src, { digest, size: declared }));
              assert.deepEqual(out, input);
              return 'OK';
            } catch (err) {
              if (err instanceof StreamError) return err.code;
              throw err;
            }
          };
          assert.equal(await run(chunked(input, sizes)), expected);
          assert.equal(await run(chunked(input, [1])), expected);
          assert.equal(await run(chunked(input)), expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('digestStream and exactSizeStream', () => {
  test('digestStream hashes any chunking like one-shot hashing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 500 }),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 5 }),
        async (bytes, sizes) => {
          const d = await digestStream(chunked(bytes, sizes), { algorithm: 'sha-512' });
          assert.equal(d.size, bytes.length);
          assert.deepEqual(d.value, new Uint8Array(createHash('sha512').update(bytes).digest()));
        },
      ),
      { numRuns: 100 },
    );
  });

  test('digestStream with maxBytes stops endless data with PAYLOAD_TOO_LONG', async () => {
    const src = endless(1000);
    await assertRejectsCode(
      () => digestStream(src.source, { algorithm: 'sha-256', maxBytes: 5000 }),
      'PAYLOAD_TOO_LONG',
    );
    assert.equal(src.delivered, 6000);
  });

  test('exactSizeStream checks the length only', async () => {
    const bytes = random(100);
    assert.deepEqual(await collect(exactSizeStream(chunked(bytes, [33]), 100)), bytes);
    await assertRejectsCode(
      () => collect(exactSizeStream(chunked(bytes, [33]), 99)),
      'PAYLOAD_TOO_LONG',
    );
    await assertRejectsCode(
      () => collect(exactSizeStream(chunked(bytes, [33]), 101)),
      'PAYLOAD_TOO_SHORT',
    );
  });
});
