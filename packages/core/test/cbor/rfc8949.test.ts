// RFC 8949 Appendix A: every example of the encode/decode table (definite lengths),
// decoded to the expected value and, where JavaScript can hold the value's CBOR type,
// re-encoded to the same bytes. Indefinite-length examples are refused by default and
// decode to the same value when allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CborMap, CborSimple, CborTag, decodeCbor, encodeCbor, type CborValue } from '@cairn/core';
import { assertThrowsCode } from '@cairn/testkit';
import { hex, plain, unhex } from './plain.js';

const bytes = (...b: number[]) => Uint8Array.of(...b);
const utf8 = (s: string) => new TextEncoder().encode(s);

/** [hex, value, encodes back?] — false where the value is an integral float (1.0 etc.): JS numbers cannot tell 1.0 from 1. */
const TABLE: [string, CborValue, boolean][] = [
  ['00', 0, true],
  ['01', 1, true],
  ['0a', 10, true],
  ['17', 23, true],
  ['1818', 24, true],
  ['1819', 25, true],
  ['1864', 100, true],
  ['1903e8', 1000, true],
  ['1a000f4240', 1000000, true],
  ['1b000000e8d4a51000', 1000000000000, true],
  ['1bffffffffffffffff', 18446744073709551615n, true],
  ['c249010000000000000000', new CborTag(2, bytes(1, 0, 0, 0, 0, 0, 0, 0, 0)), true],
  ['3bffffffffffffffff', -18446744073709551616n, true],
  ['c349010000000000000000', new CborTag(3, bytes(1, 0, 0, 0, 0, 0, 0, 0, 0)), true],
  ['20', -1, true],
  ['29', -10, true],
  ['3863', -100, true],
  ['3903e7', -1000, true],
  ['f90000', 0, false],
  ['f98000', -0, true],
  ['f93c00', 1, false],
  ['fb3ff199999999999a', 1.1, true],
  ['f93e00', 1.5, true],
  ['f97bff', 65504, false],
  ['fa47c35000', 100000, false],
  ['fa7f7fffff', 3.4028234663852886e38, true],
  ['fb7e37e43c8800759c', 1.0e300, true],
  ['f90001', 5.960464477539063e-8, true],
  ['f90400', 0.00006103515625, true],
  ['f9c400', -4, false],
  ['fbc010666666666666', -4.1, true],
  ['f97c00', Infinity, true],
  ['f97e00', NaN, true],
  ['f9fc00', -Infinity, true],
  ['f4', false, true],
  ['f5', true, true],
  ['f6', null, true],
  ['f7', undefined, true],
  ['f0', new CborSimple(16), true],
  ['f8ff', new CborSimple(255), true],
  ['c074323031332d30332d32315432303a30343a30305a', new CborTag(0, '2013-03-21T20:04:00Z'), true],
  ['c11a514b67b0', new CborTag(1, 1363896240), true],
  ['c1fb41d452d9ec200000', new CborTag(1, 1363896240.5), true],
  ['d74401020304', new CborTag(23, bytes(1, 2, 3, 4)), true],
  ['d818456449455446', new CborTag(24, utf8('dIETF')), true],
  [
    'd82076687474703a2f2f7777772e6578616d706c652e636f6d',
    new CborTag(32, 'http://www.example.com'),
    true,
  ],
  ['40', new Uint8Array(0), true],
  ['4401020304', bytes(1, 2, 3, 4), true],
  ['60', '', true],
  ['6161', 'a', true],
  ['6449455446', 'IETF', true],
  ['62225c', '"\\', true],
  ['62c3bc', '\u00fc', true],
  ['63e6b0b4', '\u6c34', true],
  ['64f0908591', '\ud800\udd51', true],
  ['80', [], true],
  ['83010203', [1, 2, 3], true],
  ['8301820203820405', [1, [2, 3], [4, 5]], true],
  [
    '98190102030405060708090a0b0c0d0e0f101112131415161718181819',
    Array.from({ length: 25 }, (_, i) => i + 1),
    true,
  ],
  ['a0', new CborMap(), true],
  [
    'a201020304',
    new CborMap([
      [1, 2],
      [3, 4],
    ]),
    true,
  ],
  [
    'a26161016162820203',
    new CborMap([
      ['a', 1],
      ['b', [2, 3]],
    ]),
    true,
  ],
  ['826161a161626163', ['a', new CborMap([['b', 'c']])], true],
  [
    'a56161614161626142616361436164614461656145',
    new CborMap([
      ['a', 'A'],
      ['b', 'B'],
      ['c', 'C'],
      ['d', 'D'],
      ['e', 'E'],
    ]),
    true,
  ],
];

test('RFC 8949 Appendix A: each example decodes to its value', () => {
  for (const [h, value] of TABLE) {
    assert.deepStrictEqual(plain(decodeCbor(unhex(h))), plain(value), h);
  }
});

test('RFC 8949 Appendix A: each example encodes to its bytes (shortest form)', () => {
  let encoded = 0;
  for (const [h, value, roundTrips] of TABLE) {
    if (!roundTrips) continue;
    assert.equal(hex(encodeCbor(value)), h, `encode ${h}`);
    assert.equal(hex(encodeCbor(decodeCbor(unhex(h)))), h, `re-encode ${h}`);
    encoded++;
  }
  assert.ok(encoded > 55);
});

test('integral floats decode to numbers that encode as integers', () => {
  assert.equal(hex(encodeCbor(decodeCbor(unhex('f93c00')))), '01');
  assert.equal(hex(encodeCbor(decodeCbor(unhex('fa47c35000')))), '1a000186a0');
  assert.equal(hex(encodeCbor(decodeCbor(unhex('f9c400')))), '23');
});

test('RFC 8949 Appendix A: non-shortest floats are refused unless requireMinimal is false', () => {
  for (const [h, v] of [
    ['fa7f800000', Infinity],
    ['fa7fc00000', NaN],
    ['faff800000', -Infinity],
    ['fb7ff0000000000000', Infinity],
    ['fb7ff8000000000000', NaN],
    ['fbfff0000000000000', -Infinity],
  ] as const) {
    assertThrowsCode(() => decodeCbor(unhex(h)), 'CBOR_NON_MINIMAL', h);
    assert.deepStrictEqual(decodeCbor(unhex(h), { requireMinimal: false }), v, h);
  }
});

test('RFC 8949 Appendix A: indefinite-length examples are refused, and decode when allowed', () => {
  const cases: [string, CborValue][] = [
    ['5f42010243030405ff', bytes(1, 2, 3, 4, 5)],
    ['7f657374726561646d696e67ff', 'streaming'],
    ['9fff', []],
    ['9f018202039f0405ffff', [1, [2, 3], [4, 5]]],
    ['9f01820203820405ff', [1, [2, 3], [4, 5]]],
    ['83018202039f0405ff', [1, [2, 3], [4, 5]]],
    ['83019f0203ff820405', [1, [2, 3], [4, 5]]],
    [
      '9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff',
      Array.from({ length: 25 }, (_, i) => i + 1),
    ],
    [
      'bf61610161629f0203ffff',
      new CborMap([
        ['a', 1],
        ['b', [2, 3]],
      ]),
    ],
    ['826161bf61626163ff', ['a', new CborMap([['b', 'c']])]],
    [
      'bf6346756ef563416d7421ff',
      new CborMap([
        ['Fun', true],
        ['Amt', -2],
      ]),
    ],
  ];
  for (const [h, value] of cases) {
    assertThrowsCode(() => decodeCbor(unhex(h)), 'CBOR_INDEFINITE_LENGTH', h);
    const got = decodeCbor(unhex(h), { allowIndefinite: true });
    assert.deepStrictEqual(plain(got), plain(value), h);
    // re-encoding writes the definite form
    assert.deepStrictEqual(plain(decodeCbor(encodeCbor(got))), plain(value), h);
  }
});

test('nested values and 64-bit edges round-trip', () => {
  const cases: CborValue[] = [
    [new CborMap([[1, [new CborTag(24, bytes(0xa0)), null, true]]]), 'x', [[[[]]]]],
    2n ** 64n - 1n,
    -(2n ** 64n),
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_SAFE_INTEGER,
    2n ** 53n,
    -(2n ** 53n) - 1n,
  ];
  for (const v of cases) {
    const enc = encodeCbor(v);
    assert.deepStrictEqual(plain(decodeCbor(enc)), plain(v));
    assert.deepEqual(encodeCbor(decodeCbor(enc)), enc);
  }
  assertThrowsCode(() => encodeCbor(2n ** 64n), 'CBOR_UNSUPPORTED_VALUE');
  assertThrowsCode(() => encodeCbor(-(2n ** 64n) - 1n), 'CBOR_UNSUPPORTED_VALUE');
  // numbers beyond 64 bits are floats
  assert.equal(hex(encodeCbor(2 ** 70)), 'fa62800000');
});
