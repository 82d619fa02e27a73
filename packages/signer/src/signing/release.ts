import { ValidationError } from '@cairn/core';
import type { FieldIssue } from '@cairn/core';
import { UUID_RE } from '../workers/worker.js';

/** What a client sends to have a firmware release signed (the image never travels). */
export interface ReleaseInput {
  readonly vendorId: string;
  readonly classId: string;
  readonly version: string;
  /** A positive integer (as number or decimal string), or 'auto' (last + 1). */
  readonly sequence: number | string;
  readonly components: readonly {
    readonly id: string | readonly string[];
    /** Hex SHA-256 of the payload. */
    readonly sha256: string;
    readonly size: number;
  }[];
  readonly description?: string;
}

export interface Release {
  readonly vendorId: string;
  readonly classId: string;
  readonly version: string;
  readonly sequence: bigint | 'auto';
  readonly components: readonly { id: string[]; sha256: Uint8Array; size: number }[];
  readonly description?: string;
}

const MAX_SEQ = 2n ** 64n - 1n;

/** Domain checks beyond the JSON schema, naming every bad field. */
export function parseRelease(input: ReleaseInput): Release {
  const issues: FieldIssue[] = [];
  if (!UUID_RE.test(input.vendorId))
    issues.push({ path: 'vendorId', problem: 'must be a lower-case UUID' });
  if (!UUID_RE.test(input.classId))
    issues.push({ path: 'classId', problem: 'must be a lower-case UUID' });
  let sequence: bigint | 'auto' = 'auto';
  if (input.sequence !== 'auto') {
    const s = String(input.sequence);
    if (!/^[0-9]{1,20}$/.test(s) || BigInt(s) < 1n || BigInt(s) > MAX_SEQ)
      issues.push({ path: 'sequence', problem: "must be an integer 1..2^64-1 or 'auto'" });
    else sequence = BigInt(s);
  }
  const components = input.components.map((c, i) => {
    if (!/^[0-9a-f]{64}$/.test(c.sha256))
      issues.push({ path: `components[${i}].sha256`, problem: 'must be 64 lower-case hex digits' });
    if (!Number.isSafeInteger(c.size) || c.size < 0)
      issues.push({ path: `components[${i}].size`, problem: 'must be a non-negative integer' });
    const id = typeof c.id === 'string' ? [c.id] : [...c.id];
    if (id.length === 0 || id.some((p) => p.length === 0 || p.length > 64))
      issues.push({
        path: `components[${i}].id`,
        problem: 'must be 1..8 parts of 1-64 characters',
      });
    return { id, sha256: new Uint8Array(Buffer.from(c.sha256, 'hex')), size: c.size };
  });
  if (issues.length) throw new ValidationError('release', issues);
  return {
    vendorId: input.vendorId,
    classId: input.classId,
    version: input.version,
    sequence,
    components,
    ...(input.description === undefined ? {} : { description: input.description }),
  };
}
