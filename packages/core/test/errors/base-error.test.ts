import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BaseError, ValidationError, isCairnError } from '@cairn/core';

test('BaseError carries code, cause and details', () => {
  const cause = new Error('inner');
  const err = new BaseError('SOME_CODE', 'what went wrong', { cause, details: { a: 1 } });
  assert.equal(err.code, 'SOME_CODE');
  assert.equal(err.cause, cause);
  assert.deepEqual(err.details, { a: 1 });
  assert.equal(err.toString(), 'SOME_CODE: what went wrong');
  assert.ok(isCairnError(err, 'SOME_CODE'));
  assert.ok(!isCairnError(err, 'OTHER'));
  assert.ok(!isCairnError(new Error('x')));
});

test('ValidationError reports every bad field', () => {
  const err = new ValidationError('worker', [
    { path: 'name', problem: 'must not be empty' },
    { path: 'products[0]', problem: 'must be a UUID' },
  ]);
  assert.equal(err.code, 'INVALID_INPUT');
  assert.match(err.message, /name must not be empty; products\[0\] must be a UUID/);
  assert.equal(err.issues.length, 2);
});
