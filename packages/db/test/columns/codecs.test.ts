import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  columnTypes,
  fromDbBigint,
  fromDbBytes,
  fromDbJson,
  fromDbTimestamp,
  fromDbUint64,
  toDbBigint,
  toDbJson,
  toDbTimestamp,
  toDbUint64,
  UINT64_MAX,
} from '@cairn/db';
import { assertThrowsCode } from '@cairn/testkit';

test('uint64 text is fixed width and its order is numeric order', () => {
  fc.assert(
    fc.property(fc.bigInt(0n, UINT64_MAX), fc.bigInt(0n, UINT64_MAX), (a, b) => {
      const ta = toDbUint64(a);
      const tb = toDbUint64(b);
      assert.equal(ta.length, 20);
      assert.equal(fromDbUint64(ta), a);
      assert.equal(ta < tb, a < b);
    }),
  );
});

test('timestamp text round-trips and sorts as time', () => {
  const min = Date.parse('0000-01-01T00:00:00.000Z');
  const max = Date.parse('9999-12-31T23:59:59.999Z');
  fc.assert(
    fc.property(fc.integer({ min, max }), fc.integer({ min, max }), (a, b) => {
      const ta = toDbTimestamp(a);
      assert.equal(fromDbTimestamp(ta).getTime(), a);
      assert.equal(ta < toDbTimestamp(b), a < b);
    }),
  );
});

test('out-of-range and malformed values are DB_BAD_VALUE', () => {
  assertThrowsCode(() => toDbUint64(-1n), 'DB_BAD_VALUE');
  assertThrowsCode(() => toDbUint64(UINT64_MAX + 1n), 'DB_BAD_VALUE');
  assertThrowsCode(() => toDbUint64(2 ** 53), 'DB_BAD_VALUE');
  assertThrowsCode(() => fromDbUint64('18446744073709551616'), 'DB_BAD_VALUE');
  assertThrowsCode(() => fromDbUint64('123'), 'DB_BAD_VALUE');
  assertThrowsCode(() => fromDbUint64(123n), 'DB_BAD_VALUE');
  assertThrowsCode(() => toDbBigint(2n ** 63n), 'DB_BAD_VALUE');
  assertThrowsCode(() => toDbBigint(0.5), 'DB_BAD_VALUE');
  assertThrowsCode(() => fromDbBigint('1e3'), 'DB_BAD_VALUE');
  assertThrowsCode(() => fromDbBigint(2 ** 60), 'DB_BAD_VALUE');
  assertThrowsCode(() => toDbTimestamp(new Date(Number.NaN)), 'DB_BAD_VALUE');
  assertThrowsCode(() => toDbTimestamp(Date.parse('+010000-01-01T00:00:00.000Z')), 'DB_BAD_VALUE');
  assertThrowsCode(() => fromDbTimestamp('2024-02-30T00:00:00.000Z'), 'DB_BAD_VALUE');
  assertThrowsCode(() => fromDbTimestamp('2024-01-01 00:00:00'), 'DB_BAD_VALUE');
  assertThrowsCode(() => toDbJson(undefined), 'DB_BAD_VALUE');
  assertThrowsCode(() => toDbJson({ n: 1n }), 'DB_BAD_VALUE');
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  assertThrowsCode(() => toDbJson(cyclic), 'DB_BAD_VALUE');
  assertThrowsCode(() => fromDbJson('{'), 'DB_BAD_VALUE');
  assertThrowsCode(() => fromDbBytes('00ff'), 'DB_BAD_VALUE');
});

test('column types differ per dialect only where the SQL types must', () => {
  const s = columnTypes('sqlite');
  const p = columnTypes('postgres');
  assert.deepEqual([s.bytes, p.bytes], ['blob', 'bytea']);
  assert.deepEqual([s.bigint, p.bigint], ['integer', 'bigint']);
  for (const k of ['uint64', 'timestamp', 'json', 'text'] as const) {
    assert.equal(s[k], 'text');
    assert.equal(p[k], 'text');
  }
});
