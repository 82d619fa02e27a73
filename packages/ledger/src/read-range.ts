import { LedgerError } from './errors.js';

/**
 * Check a read of items [start, end) from a log of `size` items, at most `max` at once.
 * `what` names the items and the log in messages, e.g. { items: 'records', log: 'the audit log' }.
 */
export function assertReadRange(
  start: number,
  end: number,
  size: number,
  max: number,
  what: { readonly items: string; readonly log: string },
): void {
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(end) ||
    start < 0 ||
    start > end ||
    end > size
  ) {
    throw new LedgerError(
      'INDEX_OUT_OF_RANGE',
      `${what.items} [${start}, ${end}) are not inside ${what.log} of size ${size}`,
    );
  }
  if (end - start > max) {
    throw new LedgerError(
      'RANGE_TOO_LARGE',
      `asked for ${end - start} ${what.items}; read at most ${max} per call`,
    );
  }
}
