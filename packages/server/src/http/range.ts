/** HTTP Range (RFC 9110 §14) for one byte range; multiple ranges are served whole. */
import { StorageError } from '../errors.js';
import type { ByteRange } from '../storage/storage.js';

/**
 * The range a `Range` header asks for, resolved against `size`; undefined to send the
 * whole representation (no header, another unit, or several ranges). Throws
 * ARTIFACT_RANGE_NOT_SATISFIABLE (416) when the range lies outside the file.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null) return undefined;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return undefined;
  let start: number;
  let end: number;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) throw unsatisfiable(header, size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== '' && Number(b) < start) return undefined;
  }
  if (!Number.isSafeInteger(start) || start >= size || size === 0)
    throw unsatisfiable(header, size);
  return { start, end };
}

function unsatisfiable(header: string, size: number): StorageError {
  return new StorageError(
    'ARTIFACT_RANGE_NOT_SATISFIABLE',
    `range "${header.slice(0, 60)}" is outside the ${size}-byte artifact`,
    { details: { size } },
  );
}
