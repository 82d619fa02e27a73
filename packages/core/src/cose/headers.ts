import { CborMap, type CborValue } from '../cbor/types.js';
import { algorithmFromCoseId } from '../crypto/algorithms.js';
import type { SignatureAlgorithm } from '../crypto/signer.js';
import { CoseError } from './errors.js';

/** COSE header parameter labels Cairn reads (RFC 9052 §3.1, RFC 9360). */
export const COSE_HEADER = Object.freeze({
  alg: 1,
  crit: 2,
  contentType: 3,
  kid: 4,
  x5chain: 33,
} as const);

/** Labels a `crit` list may name: the ones this implementation understands. */
const UNDERSTOOD = new Set<number>(Object.values(COSE_HEADER));

/** Most certificates accepted in one x5chain. */
export const MAX_X5CHAIN_CERTS = 8;

export interface CoseHeaderSummary {
  alg: SignatureAlgorithm;
  kid?: Uint8Array;
  x5chain?: Uint8Array[];
}

function labelText(label: CborValue): string {
  return typeof label === 'number' || typeof label === 'bigint' || typeof label === 'string'
    ? String(label)
    : '(non-scalar label)';
}

function invalid(message: string, label?: CborValue): never {
  throw new CoseError('HEADER_INVALID', message, {
    details: label === undefined ? {} : { label: labelText(label) },
  });
}

/** Throws HEADER_INVALID unless every label is an int or tstr and no label is in both buckets. */
export function assertHeaderBuckets(protectedHeaders: CborMap, unprotectedHeaders: CborMap): void {
  for (const [bucket, map] of [
    ['protected', protectedHeaders],
    ['unprotected', unprotectedHeaders],
  ] as const) {
    for (const label of map.keys()) {
      const ok =
        typeof label === 'string' || typeof label === 'number' || typeof label === 'bigint';
      if (!ok || (typeof label === 'number' && !Number.isInteger(label))) {
        invalid(`${bucket} header has a label that is neither an integer nor a text string`);
      }
    }
  }
  for (const label of protectedHeaders.keys()) {
    if (unprotectedHeaders.has(label)) {
      invalid(
        `header parameter ${labelText(label)} appears in both the protected and unprotected buckets (RFC 9052 §3)`,
        label,
      );
    }
  }
}

function lookup(
  p: CborMap,
  u: CborMap,
  label: number,
): { value: CborValue; bucket: 'protected' | 'unprotected' } | undefined {
  if (p.has(label)) return { value: p.get(label), bucket: 'protected' };
  if (u.has(label)) return { value: u.get(label), bucket: 'unprotected' };
  return undefined;
}

function checkCrit(p: CborMap, u: CborMap): void {
  if (u.has(COSE_HEADER.crit)) invalid('crit (2) must be in the protected bucket', 2);
  if (!p.has(COSE_HEADER.crit)) return;
  const crit = p.get(COSE_HEADER.crit);
  if (!Array.isArray(crit) || crit.length === 0) {
    invalid('crit (2) must be a non-empty array of header labels', 2);
  }
  for (const label of crit) {
    if (typeof label !== 'number' && typeof label !== 'string') {
      invalid('crit (2) lists a label that is neither an integer nor a text string', 2);
    }
    if (!p.has(label)) {
      invalid(
        `crit (2) lists header ${String(label)}, which is not in the protected bucket`,
        label,
      );
    }
    if (typeof label !== 'number' || !UNDERSTOOD.has(label)) {
      invalid(
        `critical header parameter ${String(label)} is not understood by this implementation; the message must be rejected`,
        label,
      );
    }
  }
}

function readX5chain(value: CborValue): Uint8Array[] {
  if (value instanceof Uint8Array) return [value];
  if (
    Array.isArray(value) &&
    value.length >= 1 &&
    value.length <= MAX_X5CHAIN_CERTS &&
    value.every((c) => c instanceof Uint8Array && c.length > 0)
  ) {
    return value as Uint8Array[];
  }
  return invalid(
    `x5chain (33) must be a certificate bstr or an array of 1..${MAX_X5CHAIN_CERTS} certificate bstrs`,
    33,
  );
}

/**
 * Read the header parameters Cairn needs from a pair of header buckets.
 * `alg` must be present and protected; `crit` must only name understood labels;
 * `kid` must be a bstr; `x5chain` a bstr or an array of bstrs (either bucket, RFC 9360).
 */
export function readCoseHeaders(p: CborMap, u: CborMap): CoseHeaderSummary {
  assertHeaderBuckets(p, u);
  checkCrit(p, u);
  if (u.has(COSE_HEADER.alg)) {
    invalid('alg (1) must be in the protected bucket, not the unprotected one', 1);
  }
  if (!p.has(COSE_HEADER.alg)) invalid('protected header has no alg (1)', 1);
  const algValue = p.get(COSE_HEADER.alg);
  if (typeof algValue !== 'number') {
    throw new CoseError(
      'ALG_UNSUPPORTED',
      `alg (1) must be an integer COSE algorithm identifier, got ${typeof algValue === 'string' ? `"${algValue}"` : typeof algValue}`,
    );
  }
  const out: CoseHeaderSummary = { alg: algorithmFromCoseId(algValue) };
  const kid = lookup(p, u, COSE_HEADER.kid);
  if (kid !== undefined) {
    if (!(kid.value instanceof Uint8Array)) invalid('kid (4) must be a byte string', 4);
    out.kid = kid.value;
  }
  const x5 = lookup(p, u, COSE_HEADER.x5chain);
  if (x5 !== undefined) out.x5chain = readX5chain(x5.value);
  const ct = lookup(p, u, COSE_HEADER.contentType);
  if (ct !== undefined && typeof ct.value !== 'number' && typeof ct.value !== 'string') {
    invalid('content type (3) must be an integer or a text string', 3);
  }
  return out;
}
