// Property tests: random CBOR values round-trip (encode → decode → encode is identical),
// and random or mutated bytes only ever raise a CborError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CborError,
  CborMap,
  CborSimple,
  CborTag,
  decodeCbor,
  encodeCbor,
  type CborValue,
} from '@cairn/core';
import { loadSuitExamples } from '@cairn/testkit';

const key: fc.Arbitrary<CborValue> = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 8 }),
  fc.uint8Array({ maxLength: 8 }),
);

const { value: cborValue } = fc.letrec<{ value: CborValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer(),
    fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }),
    fc.double(),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.uint8Array({ maxLength: 40 }),
    fc.constantFrom<CborValue>(true, false, null, undefined),
    fc
      .oneof(fc.integer({ min: 0, max: 19 }), fc.integer({ min: 32, max: 255 }))
      .map((v) => new CborSimple(v)),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 5 }).map((entries) => new CborMap(entries)),
    fc.tuple(fc.integer({ min: 0, max: 2 ** 32 }), tie('value')).map(([t, v]) => new CborTag(t, v)),
  ),
}));

test('random CBOR values: encode → decode → encode is byte-identical', () => {
  fc.assert(
    fc.property(cborValue, fc.boolean(), (v, canonical) => {
      const once = encodeCbor(v, { canonical });
      const twice = encodeCbor(decodeCbor(once, { maxDepth: 64 }), { canonical });
      assert.deepEqual(twice, once);
    }),
    { numRuns: 1000 },
  );
});

test('canonical maps with integer keys: keys in the bytewise order of their encodings', () => {
  const intKey = fc.oneof(
    fc.integer({ min: -30, max: 30 }),
    fc.integer({ min: -70_000, max: 70_000 }),
    fc.maxSafeInteger(),
    fc.maxSafeInteger().map((n) => -n),
    fc.constant(-0), // a float in CBOR, not an integer key: the general path sorts it
  );
  fc.assert(
    fc.property(fc.uniqueArray(intKey, { maxLength: 12, comparator: 'SameValueZero' }), (keys) => {
      const m = new CborMap(keys.map((k, i) => [k, i] as [CborValue, CborValue]));
      // the reference: encode each key, sort by bytes, concatenate key and value encodings
      const want = keys
        .map((k, i) => ({ k: encodeCbor(k), v: encodeCbor(i) }))
        .sort((a, b) => Buffer.compare(a.k, b.k))
        .flatMap((e) => [e.k, e.v]);
      // at most 12 entries: the map head is the single byte 0xa0 | size
      const expected = Buffer.concat([Uint8Array.of(0xa0 | keys.length), ...want]);
      assert.deepEqual(Buffer.from(encodeCbor(m, { canonical: true })), expected);
    }),
    { numRuns: 1000 },
  );
});

function onlyCborErrors(bytes: Uint8Array): void {
  try {
    decodeCbor(bytes);
  } catch (err) {
    if (!(err instanceof CborError)) throw err;
  }
}

test('random bytes never raise anything but a CborError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), onlyCborErrors), { numRuns: 5000 });
});

test('mutated SUIT envelopes never raise anything but a CborError', () => {
  const envelopes = loadSuitExamples().map((e) => e.envelope);
  fc.assert(
    fc.property(
      fc.constantFrom(...envelopes),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      }),
      (env, edits) => {
        const bytes = env.slice();
        for (const [pos, b] of edits) bytes[pos % bytes.length] = b;
        onlyCborErrors(bytes);
      },
    ),
    { numRuns: 2000 },
  );
});
