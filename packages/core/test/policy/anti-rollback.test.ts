import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkAntiRollback, MAX_SEQUENCE_NUMBER, PolicyError } from '@cairn/core';
import { assertThrowsCode } from '@cairn/testkit';

const uint64 = fc.bigInt({ min: 0n, max: MAX_SEQUENCE_NUMBER });

test('higher sequence number is allowed and reports from/to', () => {
  assert.deepEqual(checkAntiRollback(4, 5), { allowed: true, from: 4n, to: 5n });
  assert.deepEqual(checkAntiRollback(0n, MAX_SEQUENCE_NUMBER), {
    allowed: true,
    from: 0n,
    to: MAX_SEQUENCE_NUMBER,
  });
});

test('lower is ROLLBACK_REJECTED, equal is ALREADY_INSTALLED', () => {
  const err = assertThrowsCode(() => checkAntiRollback(7, 6), 'ROLLBACK_REJECTED');
  assert.ok(err instanceof PolicyError);
  assert.match(err.message, /6 is below .* counter 7/);
  assertThrowsCode(() => checkAntiRollback(7n, 7), 'ALREADY_INSTALLED');
});

test('invalid counters: negative, fractional, unsafe numbers, beyond uint64, wrong type', () => {
  const bad: unknown[] = [
    -1,
    1.5,
    Number.NaN,
    Infinity,
    2 ** 53,
    -1n,
    MAX_SEQUENCE_NUMBER + 1n,
    '5',
    null,
  ];
  for (const v of bad) {
    assertThrowsCode(
      () => checkAntiRollback(v as number, 1),
      'INVALID_COUNTER',
      `stored ${String(v)}`,
    );
    assertThrowsCode(
      () => checkAntiRollback(0, v as number),
      'INVALID_COUNTER',
      `sequence ${String(v)}`,
    );
  }
});

test('property: the decision matches the order of the two uint64 values', () => {
  fc.assert(
    fc.property(uint64, uint64, (stored, seq) => {
      try {
        const r = checkAntiRollback(stored, seq);
        return seq > stored && r.from === stored && r.to === seq;
      } catch (err) {
        if (!(err instanceof PolicyError)) return false;
        return seq < stored
          ? err.code === 'ROLLBACK_REJECTED'
          : seq === stored && err.code === 'ALREADY_INSTALLED';
      }
    }),
  );
});

test('property: numbers and bigints give the same decision', () => {
  fc.assert(
    fc.property(fc.nat(), fc.nat(), (a, b) => {
      const asCode = (f: () => unknown): string => {
        try {
          f();
          return 'ok';
        } catch (err) {
          return err instanceof PolicyError ? err.code : 'other';
        }
      };
      return (
        asCode(() => checkAntiRollback(a, b)) ===
        asCode(() => checkAntiRollback(BigInt(a), BigInt(b)))
      );
    }),
  );
});
