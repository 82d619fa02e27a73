import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  BUNDLE_CHECKS,
  BundleError,
  encodeCbor,
  CborMap,
  openBundle,
  verifyBundle,
  writeBundle,
} from '@cairn/core';
import type { BundleManifest } from '@cairn/core';
import { assertRejectsCode, assertThrowsCode } from '@cairn/testkit';
import { chunked, collect, endless, fromChunks, random } from '../stream/helpers.js';
import { DUMMY_PROOF, FAKE_ENVELOPE, frame, makeBundle } from './helpers.js';
import type { TestPayload } from './helpers.js';

const THREE: TestPayload[] = [
  { componentIndex: 0, bytes: random(5000) },
  { componentIndex: 1, bytes: new Uint8Array(0) },
  { componentIndex: 4, bytes: random(777) },
];

const accept = (manifest: BundleManifest) => (): BundleManifest => manifest;

describe('bundle write → read round trips', () => {
  for (const payloads of [[], THREE.slice(0, 1), THREE]) {
    test(`${payloads.length} payload(s)`, async () => {
      const { bytes, manifest, headLength } = await makeBundle(payloads);
      const opened = await openBundle(chunked(bytes, [4096]));
      assert.deepEqual(opened.envelope, FAKE_ENVELOPE);
      assert.equal(opened.version, 1);
      assert.equal(opened.proof, undefined);
      let offset = headLength;
      assert.deepEqual(
        opened.payloadTable,
        payloads.map((p) => {
          const e = { componentIndex: p.componentIndex, size: p.bytes.length, offset };
          offset += p.bytes.length;
          return e;
        }),
      );
      assert.equal(bytes.length, offset);
      const got: TestPayload[] = [];
      for await (const p of opened.payloads()) {
        got.push({ componentIndex: p.componentIndex, bytes: await collect(p.stream) });
      }
      assert.deepEqual(got, payloads);
      const verified = await verifyBundle(chunked(bytes, [333]), {
        verifyEnvelope: accept(manifest),
      });
      assert.deepEqual(
        verified.payloads,
        payloads.map((p) => ({ componentIndex: p.componentIndex, size: p.bytes.length })),
      );
    });
  }

  test('proof and metadata round-trip', async () => {
    const { bytes, manifest } = await makeBundle(THREE, {
      proof: DUMMY_PROOF,
      metadata: { version: '1.2.3', product: 'gateway' },
    });
    const v = await verifyBundle(chunked(bytes, [100]), { verifyEnvelope: accept(manifest) });
    assert.equal(Buffer.from(v.proof!).toString(), DUMMY_PROOF);
    assert.deepEqual(
      [...v.metadata!],
      [
        ['product', 'gateway'],
        ['version', '1.2.3'],
      ].sort(),
    );
  });

  test('onPayload receives each payload in order; what it leaves unread is still verified', async () => {
    const { bytes, manifest } = await makeBundle(THREE);
    const slots = new Map<number, Uint8Array>();
    await verifyBundle(chunked(bytes, [1024]), {
      verifyEnvelope: accept(manifest),
      onPayload: async (p) => {
        slots.set(p.componentIndex, await collect(p.stream));
      },
    });
    assert.deepEqual(
      [...slots],
      THREE.map((p) => [p.componentIndex, p.bytes]),
    );

    const bad = Uint8Array.from(bytes);
    bad[bad.length - 1]! ^= 1;
    let firstChunks = 0;
    await assertRejectsCode(
      () =>
        verifyBundle(chunked(bad, [64]), {
          verifyEnvelope: accept(manifest),
          onPayload: async (p) => {
            for await (const _ of p.stream) {
              firstChunks++;
              break;
            }
          },
        }),
      'PAYLOAD_DIGEST_MISMATCH',
    );
    assert.ok(firstChunks >= 1);
  });

  test('a callback that swallows the verification error does not make the bundle pass', async () => {
    const { bytes, manifest } = await makeBundle(THREE);
    const bad = Uint8Array.from(bytes);
    bad[bad.length - 10]! ^= 1;
    await assertRejectsCode(
      () =>
        verifyBundle(chunked(bad, [64]), {
          verifyEnvelope: accept(manifest),
          onPayload: async (p) => {
            try {
              await collect(p.stream);
            } catch {
              /* swallowed on purpose */
            }
          },
        }),
      'PAYLOAD_DIGEST_MISMATCH',
    );
  });

  test('no payload byte is read before the envelope verifier runs', async () => {
    const { bytes, manifest, headLength } = await makeBundle(THREE);
    let pulled = 0;
    async function* tracked(): AsyncGenerator<Uint8Array> {
      for await (const c of chunked(bytes, [headLength, 512])) {
        pulled += c.length;
        yield c;
      }
    }
    let seenAtVerify = -1;
    await verifyBundle(tracked(), {
      verifyEnvelope: () => {
        seenAtVerify = pulled;
        return manifest;
      },
    });
    assert.equal(seenAtVerify, headLength);
    assert.equal(pulled, bytes.length);
  });

  test('any chunking of the bundle gives the same result (fast-check)', async () => {
    const { bytes, manifest } = await makeBundle(
      THREE.map((p) => ({ ...p, bytes: p.bytes.subarray(0, 300) })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 6 }),
        fc.option(fc.nat({ max: bytes.length - 1 }), { nil: undefined }),
        async (sizes, flipAt) => {
          const input = Uint8Array.from(bytes);
          if (flipAt !== undefined) input[flipAt]! ^= 0x10;
          const run = async (src: AsyncIterable<Uint8Array>): Promise<string> => {
            try {
              await verifyBundle(src, { verifyEnvelope: accept(manifest) });
              return 'OK';
            } catch (err) {
              if (err instanceof Error && 'code' in err) return String(err.code);
              throw err;
            }
          };
          const whole = await run(fromChunks([input]));
          assert.equal(await run(chunked(input, sizes)), whole);
          assert.equal(whole === 'OK', flipAt === undefined);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('bundle reader refusals', () => {
  test('BUNDLE_TRAILING_DATA on endless data after the last payload, reading one chunk more', async () => {
    const { bytes, manifest } = await makeBundle(THREE);
    const tail = endless(100);
    async function* src(): AsyncGenerator<Uint8Array> {
      yield* chunked(bytes, [4096]);
      yield* tail.source;
    }
    const err = await assertRejectsCode(
      () => verifyBundle(src(), { verifyEnvelope: accept(manifest) }),
      'BUNDLE_TRAILING_DATA',
    );
    assert.equal(tail.delivered, 100);
    assert.deepEqual(err.details, { step: 8, check: 'end-of-bundle', offset: bytes.length });
  });

  test('a header over maxHeaderBytes is refused before it is read', async () => {
    const { bytes, headLength } = await makeBundle(THREE);
    let pulled = 0;
    async function* src(): AsyncGenerator<Uint8Array> {
      for await (const c of chunked(bytes, [16])) {
        pulled += c.length;
        yield c;
      }
    }
    await assertRejectsCode(
      () => openBundle(src(), { maxHeaderBytes: headLength - 49 }),
      'BUNDLE_HEADER_TOO_LARGE',
    );
    assert.equal(pulled, 16);
    await openBundle(fromChunks([bytes]), { maxHeaderBytes: headLength - 48 });
  });

  test('BUNDLE_HEADER_INVALID for each malformed header (with a valid checksum)', async () => {
    const good = (m: CborMap): CborMap => m;
    const env = FAKE_ENVELOPE;
    const cases: [string, Uint8Array][] = [
      ['not a map', encodeCbor([1, 2])],
      ['not CBOR', Uint8Array.of(0xff, 0x00)],
      ['missing envelope', encodeCbor(good(new CborMap([[3, []]])), { canonical: true })],
      [
        'empty envelope',
        encodeCbor(
          new CborMap([
            [1, new Uint8Array(0)],
            [3, []],
          ]),
          { canonical: true },
        ),
      ],
      ['missing payload table', encodeCbor(new CborMap([[1, env]]), { canonical: true })],
      [
        'unknown key',
        encodeCbor(
          new CborMap([
            [1, env],
            [3, []],
            [5, 0],
          ]),
          { canonical: true },
        ),
      ],
      [
        'text key',
        encodeCbor(
          new CborMap([
            [1, env],
            [3, []],
            ['x', 0],
          ]),
          { canonical: true },
        ),
      ],
      [
        'unsorted keys',
        encodeCbor(
          new CborMap([
            [3, []],
            [1, env],
          ]),
        ),
      ],
      [
        'proof not bytes',
        encodeCbor(
          new CborMap([
            [1, env],
            [2, 'proof'],
            [3, []],
          ]),
          { canonical: true },
        ),
      ],
      [
        'entry not a pair',
        encodeCbor(
          new CborMap([
            [1, env],
            [3, [[0]]],
          ]),
          { canonical: true },
        ),
      ],
      [
        'negative size',
        encodeCbor(
          new CborMap([
            [1, env],
            [3, [[0, -1]]],
          ]),
          { canonical: true },
        ),
      ],
      [
        'component index too big',
        encodeCbor(
          new CborMap([
            [1, env],
            [3, [[70000, 1]]],
          ]),
          { canonical: true },
        ),
      ],
      [
        'size beyond 2^53',
        encodeCbor(
          new CborMap([
            [1, env],
            [3, [[0, 2n ** 60n]]],
          ]),
          { canonical: true },
        ),
      ],
      [
        'indices not increasing',
        encodeCbor(
          new CborMap([
            [1, env],
            [
              3,
              [
                [1, 0],
                [1, 0],
              ],
            ],
          ]),
          { canonical: true },
        ),
      ],
      [
        '17 payloads',
        encodeCbor(
          new CborMap([
            [1, env],
            [3, Array.from({ length: 17 }, (_, i) => [i, 0])],
          ]),
          { canonical: true },
        ),
      ],
      [
        'empty metadata',
        encodeCbor(
          new CborMap([
            [1, env],
            [3, []],
            [4, new CborMap()],
          ]),
          { canonical: true },
        ),
      ],
      [
        'metadata not text',
        encodeCbor(
          new CborMap([
            [1, env],
            [3, []],
            [4, new CborMap([['a', 1]])],
          ]),
          { canonical: true },
        ),
      ],
    ];
    for (const [name, header] of cases) {
      await assertRejectsCode(
        () => openBundle(fromChunks([frame(header)])),
        'BUNDLE_HEADER_INVALID',
        name,
      );
    }
  });

  test('a proof that is not a tlog-proof is BUNDLE_PROOF_INVALID', async () => {
    const header = encodeCbor(
      new CborMap([
        [1, FAKE_ENVELOPE],
        [2, Buffer.from('hello')],
        [3, []],
      ]),
      { canonical: true },
    );
    await assertRejectsCode(() => openBundle(fromChunks([frame(header)])), 'BUNDLE_PROOF_INVALID');
  });

  test('payloads() can be read once; skipping a payload stream is allowed', async () => {
    const { bytes } = await makeBundle(THREE);
    const opened = await openBundle(chunked(bytes, [100]));
    const sizes: number[] = [];
    for await (const p of opened.payloads()) sizes.push(p.size);
    assert.deepEqual(sizes, [5000, 0, 777]);
    assert.throws(() => opened.payloads(), { code: 'STREAM_OUT_OF_ORDER' });
  });
});

describe('verifyBundle steps', () => {
  test('BUNDLE_CHECKS lists the eight steps in order', () => {
    assert.deepEqual(
      BUNDLE_CHECKS.map((c) => `${c.step}:${c.name}`),
      [
        '1:preamble',
        '2:header-checksum',
        '3:header',
        '4:envelope',
        '5:transparency-proof',
        '6:payload-binding',
        '7:payloads',
        '8:end-of-bundle',
      ],
    );
  });

  test('step 4: an envelope verifier that throws gives BUNDLE_ENVELOPE_INVALID with the cause', async () => {
    const { bytes } = await makeBundle(THREE);
    const cause = new BundleError('BUNDLE_HEADER_INVALID', 'stand-in for a signature failure');
    const err = await assertRejectsCode(
      () => verifyBundle(fromChunks([bytes]), { verifyEnvelope: () => Promise.reject(cause) }),
      'BUNDLE_ENVELOPE_INVALID',
    );
    assert.equal(err.cause, cause);
    assert.equal(err.details?.step, 4);
    assert.equal(err.details.causeCode, 'BUNDLE_HEADER_INVALID');
  });

  test('step 5: requireProof and verifyProof', async () => {
    const plain = await makeBundle(THREE);
    await assertRejectsCode(
      () =>
        verifyBundle(fromChunks([plain.bytes]), {
          verifyEnvelope: accept(plain.manifest),
          requireProof: true,
        }),
      'BUNDLE_PROOF_MISSING',
    );
    const proved = await makeBundle(THREE, { proof: DUMMY_PROOF });
    let seen = '';
    await verifyBundle(fromChunks([proved.bytes]), {
      verifyEnvelope: accept(proved.manifest),
      requireProof: true,
      verifyProof: (proof, envelope) => {
        seen = `${Buffer.from(proof).toString().split('\n')[0] ?? ''} ${envelope.length}`;
      },
    });
    assert.equal(seen, `c2sp.org/tlog-proof@v1 ${FAKE_ENVELOPE.length}`);
    await assertRejectsCode(
      () =>
        verifyBundle(fromChunks([proved.bytes]), {
          verifyEnvelope: accept(proved.manifest),
          verifyProof: () => {
            throw new Error('not in log');
          },
        }),
      'BUNDLE_PROOF_REJECTED',
    );
  });

  test('the caller can abort verification (STREAM_ABORTED)', async () => {
    const { bytes, manifest } = await makeBundle(THREE);
    const ac = new AbortController();
    await assertRejectsCode(
      () =>
        verifyBundle(chunked(bytes, [100]), {
          verifyEnvelope: () => {
            ac.abort();
            return manifest;
          },
          signal: ac.signal,
        }),
      'STREAM_ABORTED',
    );
  });
});

describe('writeBundle', () => {
  test('validates its input, every bad field at once', () => {
    const src = fromChunks([]);
    const err = assertThrowsCode(
      () =>
        writeBundle({
          envelope: new Uint8Array(0),
          payloads: [
            { componentIndex: 2, size: 0, source: src },
            { componentIndex: 2, size: -1, source: src },
            { componentIndex: 70_000, size: 2n ** 64n, source: src },
          ],
        }),
      'INVALID_INPUT',
    );
    for (const path of [
      'envelope',
      'payloads[1].componentIndex',
      'payloads[1].size',
      'payloads[2].componentIndex',
      'payloads[2].size',
    ]) {
      assert.ok(err.message.includes(path), `${path} in ${err.message}`);
    }
    assertThrowsCode(
      () =>
        writeBundle({
          envelope: FAKE_ENVELOPE,
          payloads: Array.from({ length: 17 }, (_, i) => ({
            componentIndex: i,
            size: 0,
            source: src,
          })),
        }),
      'INVALID_INPUT',
    );
  });

  test('a payload source of the wrong length fails the write', async () => {
    const bytes = random(100);
    await assertRejectsCode(
      () =>
        collect(
          writeBundle({
            envelope: FAKE_ENVELOPE,
            payloads: [{ componentIndex: 0, size: 99, source: chunked(bytes) }],
          }),
        ),
      'PAYLOAD_TOO_LONG',
    );
    await assertRejectsCode(
      () =>
        collect(
          writeBundle({
            envelope: FAKE_ENVELOPE,
            payloads: [{ componentIndex: 0, size: 101, source: chunked(bytes) }],
          }),
        ),
      'PAYLOAD_TOO_SHORT',
    );
  });

  test('a payload digest given to the writer is checked while writing', async () => {
    const bytes = random(100);
    const other = random(100);
    await assertRejectsCode(
      () =>
        collect(
          writeBundle({
            envelope: FAKE_ENVELOPE,
            payloads: [
              {
                componentIndex: 0,
                size: 100,
                source: chunked(bytes),
                digest: { algorithm: 'sha-256', value: other.subarray(0, 32) },
              },
            ],
          }),
        ),
      'PAYLOAD_DIGEST_MISMATCH',
    );
  });

  test('the writer output is deterministic', async () => {
    const a = await makeBundle(THREE, { metadata: { b: '2', a: '1' }, proof: DUMMY_PROOF });
    const b = await makeBundle(THREE, {
      metadata: { a: '1', b: '2' },
      proof: Buffer.from(DUMMY_PROOF),
    });
    assert.deepEqual(a.bytes, b.bytes);
  });
});
