import { createHash, timingSafeEqual } from 'node:crypto';
import { encodeCbor, type CborValue } from '../cbor/index.js';
import { DIGEST_ALGORITHMS, type DigestAlgorithmName } from './constants.js';
import { malformed, SuitError } from './errors.js';
import { asArray, asBytes, asInt, decodeWrapped, type ReadContext } from './read.js';
import type { SuitDigest, WrappedDigest } from './types.js';

const BY_NAME = new Map(
  [...DIGEST_ALGORITHMS].map(([id, a]) => [a.name as DigestAlgorithmName, { id, ...a }]),
);

function algorithm(id: number, where: string): { name: DigestAlgorithmName; size: number } {
  const a = DIGEST_ALGORITHMS.get(id);
  if (a === undefined) {
    throw new SuitError(
      'SUIT_UNSUPPORTED_ALGORITHM',
      `${where}: digest algorithm ${id} is not supported (use sha256 (-16), sha384 (-43), sha512 (-44), shake128 (-18) or shake256 (-45))`,
      { details: { where, algorithmId: id } },
    );
  }
  return { name: a.name as DigestAlgorithmName, size: a.size };
}

/** Decode a SUIT_Digest array ([alg, bytes]); extension items after the two are refused. */
export function decodeDigest(v: CborValue, where: string): SuitDigest {
  const arr = asArray(v, where);
  if (arr.length !== 2) throw malformed(where, `a SUIT_Digest has 2 items, got ${arr.length}`);
  const algorithmId = asInt(arr[0], `${where} algorithm-id`);
  const value = asBytes(arr[1], `${where} digest-bytes`);
  const alg = algorithm(algorithmId, where);
  if (value.length !== alg.size) {
    throw malformed(where, `a ${alg.name} digest is ${alg.size} bytes, got ${value.length}`);
  }
  return { algorithmId, algorithm: alg.name, value };
}

/** Decode a bstr-wrapped SUIT_Digest, keeping its bytes. */
export function decodeWrappedDigest(
  bytes: Uint8Array,
  where: string,
  ctx: ReadContext,
): WrappedDigest {
  return { ...decodeDigest(decodeWrapped(bytes, where, ctx), where), bytes };
}

export function digestToCbor(d: SuitDigest): CborValue {
  return [d.algorithmId, d.value];
}

/** Hash `data` with a SUIT digest algorithm. */
export function hashWith(algorithmName: DigestAlgorithmName, data: Uint8Array): Uint8Array {
  const a = BY_NAME.get(algorithmName);
  if (a === undefined) {
    throw new SuitError(
      'SUIT_UNSUPPORTED_ALGORITHM',
      `digest algorithm '${algorithmName}' is not supported`,
    );
  }
  const h = a.hash.startsWith('shake')
    ? createHash(a.hash, { outputLength: a.size })
    : createHash(a.hash);
  return new Uint8Array(h.update(data).digest());
}

/** The SUIT_Digest of raw bytes (an image). */
export function digestOf(
  data: Uint8Array,
  algorithmName: DigestAlgorithmName = 'sha256',
): SuitDigest {
  const a = BY_NAME.get(algorithmName);
  if (a === undefined) {
    throw new SuitError(
      'SUIT_UNSUPPORTED_ALGORITHM',
      `digest algorithm '${algorithmName}' is not supported`,
    );
  }
  return { algorithmId: a.id, algorithm: algorithmName, value: hashWith(algorithmName, data) };
}

/**
 * The SUIT_Digest of an element that SUIT wraps in a bstr: the hash covers the whole
 * bstr encoding (head + content), as the draft's examples show.
 */
export function digestOfWrapped(
  content: Uint8Array,
  algorithmName: DigestAlgorithmName = 'sha256',
): SuitDigest {
  return digestOf(encodeCbor(content), algorithmName);
}

/** SUIT_Digest over a manifest (the bstr-wrapped SUIT_Manifest), bstr-wrapped for the auth wrapper. */
export function suitDigest(
  manifestBytes: Uint8Array,
  algorithmName: DigestAlgorithmName = 'sha256',
): WrappedDigest {
  const d = digestOfWrapped(manifestBytes, algorithmName);
  return { ...d, bytes: encodeCbor(digestToCbor(d)) };
}

/** Constant-time comparison of a digest with the digest of `data` under the same algorithm. */
export function digestMatches(d: SuitDigest, data: Uint8Array): boolean {
  const actual = hashWith(d.algorithm, data);
  return actual.length === d.value.length && timingSafeEqual(actual, d.value);
}

/** Throws SUIT_DIGEST_MISMATCH unless the bstr-wrapped `content` hashes to `d`. */
export function checkWrappedDigest(d: SuitDigest, content: Uint8Array, what: string): void {
  if (!digestMatches(d, encodeCbor(content))) {
    throw new SuitError(
      'SUIT_DIGEST_MISMATCH',
      `${what} does not match its ${d.algorithm} digest in the manifest; the envelope was altered or assembled from different builds`,
      { details: { what } },
    );
  }
}
