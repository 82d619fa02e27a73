import assert from 'node:assert/strict';
import { BaseError } from '@cairn/core';

/** Assert that `fn` throws a Cairn error with exactly `code`; returns the error. */
export function assertThrowsCode(fn: () => unknown, code: string, msg?: string): BaseError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  return checkCode(caught, code, msg);
}

/** Async form of assertThrowsCode. */
export async function assertRejectsCode(
  fn: () => Promise<unknown>,
  code: string,
  msg?: string,
): Promise<BaseError> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  return checkCode(caught, code, msg);
}

function checkCode(caught: unknown, code: string, msg?: string): BaseError {
  const where = msg ? `${msg}: ` : '';
  assert.ok(
    caught !== undefined,
    `${where}expected an error with code ${code}, nothing was thrown`,
  );
  assert.ok(
    caught instanceof BaseError,
    `${where}expected a Cairn error with code ${code}, got ${caught instanceof Error ? (caught.stack ?? caught.message) : JSON.stringify(caught)}`,
  );
  assert.equal(caught.code, code, `${where}wrong error code (message: ${caught.message})`);
  return caught as BaseError;
}
