import { PolicyError } from './errors.js';

/** The largest SUIT sequence number (uint64). */
export const MAX_SEQUENCE_NUMBER = 2n ** 64n - 1n;

export interface RollbackDecision {
  readonly allowed: true;
  readonly from: bigint;
  readonly to: bigint;
}

/**
 * Anti-rollback: an update's SUIT sequence number must be strictly above the counter
 * the device committed. Lower: ROLLBACK_REJECTED; equal: ALREADY_INSTALLED; otherwise
 * allowed. Both values must be non-negative integers within uint64 (INVALID_COUNTER).
 */
export function checkAntiRollback(
  storedCounter: bigint | number,
  sequenceNumber: bigint | number,
): RollbackDecision {
  const from = toUint64(storedCounter, 'stored anti-rollback counter');
  const to = toUint64(sequenceNumber, 'manifest sequence number');
  if (to < from) {
    throw new PolicyError(
      'ROLLBACK_REJECTED',
      `update sequence number ${to} is below the device's committed counter ${from}; an older image is refused (re-release it with a higher sequence number)`,
      { details: { from: from.toString(), to: to.toString() } },
    );
  }
  if (to === from) {
    throw new PolicyError(
      'ALREADY_INSTALLED',
      `update sequence number ${to} equals the device's committed counter; this image is already installed`,
      { details: { from: from.toString(), to: to.toString() } },
    );
  }
  return Object.freeze({ allowed: true, from, to });
}

function toUint64(value: bigint | number, what: string): bigint {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new PolicyError(
        'INVALID_COUNTER',
        `${what} ${value} is not a non-negative safe integer; pass a bigint for values above 2^53-1`,
      );
    }
    return BigInt(value);
  }
  if (typeof value !== 'bigint' || value < 0n || value > MAX_SEQUENCE_NUMBER) {
    throw new PolicyError(
      'INVALID_COUNTER',
      `${what} ${String(value)} is not an unsigned 64-bit integer`,
    );
  }
  return value;
}
