// Hostile input: every failure is a CborError with the right code, quickly, without large
// allocations or stack overflows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CborError, CborMap, decodeCbor, decodeCborPrefix, encodeCbor } from '@cairn/core';
import { assertThrowsCode, loadSuitExamples } from '@cairn/testkit';
import { unhex } from './plain.js';

test('truncating a SUIT envelope at every offset is CBOR_TRUNCATED', () => {
  let checked = 0;
  for (const { name, envelope } of loadSuitExamples()) {
    for (let n = 0; n < envelope.length; n++) {
      assertThrowsCode(
        () => decodeCbor(envelope.subarray(0, n)),
        'CBOR_TRUNCATED',
        `${name}[0..${n})`,
      );
      checked++;
    }
  }
  assert.ok(checked > 2000);
});

test('trailing bytes are CBOR_TRAILING_BYTES; decodeCborPrefix reports the item length', () => {
  const { envelope } = loadSuitExamples()[0]!;
  const padded = new Uint8Array(envelope.length + 1);
  padded.set(envelope);
  assertThrowsCode(() => decodeCbor(padded), 'CBOR_TRAILING_BYTES');
  assert.equal(decodeCborPrefix(padded).length, envelope.length);
  assertThrowsCode(() => decodeCbor(unhex('0000')), 'CBOR_TRAILING_BYTES');
});

test('huge declared lengths fail fast with a typed error, without allocating', () => {
  const cases: [string, string][] = [
    ['9affffffff', 'CBOR_TOO_LARGE'], // array of 2^32-1 items in 5 bytes
    ['9bffffffffffffffff', 'CBOR_TOO_LARGE'], // array of 2^64-1 items
    ['bbffffffffffffffff', 'CBOR_TOO_LARGE'], // map of 2^64-1 entries
    ['5affffffff', 'CBOR_TRUNCATED'], // 4 GiB byte string, input ends
    ['7bffffffffffffffff', 'CBOR_TOO_LARGE'], // 2^64 text string: beyond any cap
    ['9a00010000', 'CBOR_TRUNCATED'], // 65 536 items (at the cap) but no bytes follow
    ['9a00010001', 'CBOR_TOO_LARGE'], // one more than the item cap
  ];
  const before = process.memoryUsage().arrayBuffers;
  for (const [h, code] of cases) assertThrowsCode(() => decodeCbor(unhex(h)), code, h);
  assert.ok(process.memoryUsage().arrayBuffers - before < 16 * 1024 * 1024, 'no large buffer');
  // explicit caps apply even when the bytes are there
  assertThrowsCode(
    () => decodeCbor(encodeCbor(new Uint8Array(100)), { maxStringBytes: 99 }),
    'CBOR_TOO_LARGE',
  );
  assertThrowsCode(() => decodeCbor(encodeCbor([1, 2, 3]), { maxItems: 2 }), 'CBOR_TOO_LARGE');
  assertThrowsCode(() => decodeCbor(unhex('d9ffff00'), { maxDepth: 0 }), 'CBOR_TOO_DEEP');
});

test('10 000 nested arrays, maps or tags are CBOR_TOO_DEEP, not a stack overflow', () => {
  for (const head of [0x81, 0xd8]) {
    const deep = new Uint8Array(head === 0xd8 ? 20001 : 10001).fill(head);
    if (head === 0xd8) for (let i = 1; i < deep.length - 1; i += 2) deep[i] = 0x20;
    deep[deep.length - 1] = 0x00;
    assertThrowsCode(() => decodeCbor(deep), 'CBOR_TOO_DEEP');
  }
  const maps = new Uint8Array(3 * 10000 + 1);
  for (let i = 0; i < 10000; i++) maps.set([0xa1, 0x00], i * 2);
  assertThrowsCode(() => decodeCbor(maps), 'CBOR_TOO_DEEP');
  // at the default depth cap of 32: 32 nested arrays decode, 33 do not
  assert.ok(Array.isArray(decodeCbor(unhex('81'.repeat(31) + '00'))));
  assertThrowsCode(() => decodeCbor(unhex('81'.repeat(33) + '00')), 'CBOR_TOO_DEEP');
});

test('duplicate map keys are CBOR_DUPLICATE_KEY', () => {
  for (const h of [
    'a20101 0102',
    'a2616101616102',
    'a2410101410102',
    'a3010102020103',
    'a281010181010a',
  ]) {
    assertThrowsCode(() => decodeCbor(unhex(h.replace(/ /g, ''))), 'CBOR_DUPLICATE_KEY', h);
  }
  // same value, different type: not duplicates
  assert.equal((decodeCbor(unhex('a20101410102')) as CborMap).size, 2);
  assert.equal(
    (decodeCbor(unhex('a2f93e0001f93c0002')) as CborMap).size,
    2,
    'float keys 1.5 and 1.0',
  );
});

test('indefinite lengths are CBOR_INDEFINITE_LENGTH; where undefined, CBOR_RESERVED', () => {
  for (const h of ['5fff', '7fff', '9fff', 'bfff']) {
    assertThrowsCode(() => decodeCbor(unhex(h)), 'CBOR_INDEFINITE_LENGTH', h);
  }
  for (const h of ['1f', '3f', 'df00', 'ff']) {
    assertThrowsCode(() => decodeCbor(unhex(h)), 'CBOR_RESERVED', h);
  }
  // a chunk of the wrong type inside an allowed indefinite string
  assertThrowsCode(() => decodeCbor(unhex('5f6161ff'), { allowIndefinite: true }), 'CBOR_RESERVED');
});

test('non-minimal integers, lengths, tags and floats are CBOR_NON_MINIMAL', () => {
  for (const h of [
    '1817', // 23 in one extra byte
    '190017',
    '1a000000ff',
    '1b00000000ffffffff',
    '3817', // -24 long form
    '5801ff', // 1-byte bstr with a 1-byte length field
    '780161', // text
    '980100', // array
    'b8010000', // map
    'd81700', // tag 23 long form
    'fa3fc00000', // 1.5 as single
    'fb3ff8000000000000', // 1.5 as double
    'fb3ff0000000000000', // 1.0 as double
  ]) {
    assertThrowsCode(() => decodeCbor(unhex(h)), 'CBOR_NON_MINIMAL', h);
  }
  assert.equal(decodeCbor(unhex('1817'), { requireMinimal: false }), 23);
});

test('reserved additional information and bad simple values are refused', () => {
  for (const h of ['1c', '3d', '5e', '7c', '9d', 'be', 'dc', 'fc', 'fd', 'fe']) {
    assertThrowsCode(() => decodeCbor(unhex(h)), 'CBOR_RESERVED', h);
  }
  for (const h of ['f800', 'f813', 'f814', 'f81f']) {
    assertThrowsCode(() => decodeCbor(unhex(h)), 'CBOR_INVALID_SIMPLE', h);
  }
});

test('invalid UTF-8 in text strings is CBOR_INVALID_UTF8', () => {
  for (const h of [
    '61ff', // never valid
    '61c3', // truncated sequence
    '62c0af', // overlong '/'
    '63eda080', // UTF-16 surrogate half
    '64f4908080', // beyond U+10FFFF
    '6280bf', // lone continuation bytes
  ]) {
    assertThrowsCode(() => decodeCbor(unhex(h)), 'CBOR_INVALID_UTF8', h);
  }
  // a BOM is kept, not stripped
  assert.equal(decodeCbor(unhex('63efbbbf')), '\ufeff');
});

test('wrong types: values the encoder cannot write are CBOR_UNSUPPORTED_VALUE', () => {
  for (const v of [() => 1, Symbol('x'), { a: 1 }, new Date(0), 2n ** 64n]) {
    assertThrowsCode(() => encodeCbor(v as never), 'CBOR_UNSUPPORTED_VALUE', typeof v);
  }
  assertThrowsCode(() => encodeCbor([1, [new Map()]] as never), 'CBOR_UNSUPPORTED_VALUE');
});

test('every decoding failure above is a CborError (the class callers catch)', () => {
  for (const h of ['', '18', '9affffffff', 'a2010101 02', '1817', '61ff', 'fc']) {
    assert.throws(() => decodeCbor(unhex(h.replace(/ /g, ''))), CborError, h);
  }
});
