/**
 * RFC 6962 §2.1 tree hashing and proof generation (MTH, PATH, PROOF). Proofs are
 * described as lists of subtree ranges `[start, end)` whose hashes make up the proof,
 * so a storage-backed tree can fetch or cache those subtree hashes however it likes
 * (e.g. in one batched query); the `...With` functions take a synchronous getter and
 * the array functions work over all leaf hashes in memory.
 */
import { MerkleError } from './merkle-error.js';
import { MERKLE_HASH_SIZE, emptyRoot, nodeHash } from './merkle-hash.js';
import { largestPowerOfTwoBelow } from './merkle-bits.js';

/** A leaf range `[start, end)` of a tree; its hash is MTH(D[start:end]). */
export interface SubtreeRange {
  readonly start: number;
  readonly end: number;
}

/** Returns MTH(D[start:end]) for 0 ≤ start < end ≤ tree size. */
export type SubtreeHashGetter = (start: number, end: number) => Uint8Array;

/** RFC 6962 Merkle tree hash of the leaf hashes (SHA-256("") for none). */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  checkLeafHashes(leafHashes);
  if (leafHashes.length === 0) return emptyRoot();
  return subtreeHash(leafHashes, 0, leafHashes.length);
}

/**
 * Ranges of the subtrees whose hashes form the inclusion proof (audit path) of leaf
 * `index` in a tree of `size`, ordered from the leaf's sibling up to the root's child.
 */
export function inclusionProofRanges(index: number, size: number): SubtreeRange[] {
  checkSize(size, 'size');
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new MerkleError(
      'INDEX_OUT_OF_RANGE',
      `leaf index ${String(index)} is not inside a tree of size ${size}`,
    );
  }
  const out: SubtreeRange[] = [];
  // PATH(m, D[start:end]), iteratively from the root down; results are prepended.
  let m = index;
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const k = largestPowerOfTwoBelow(end - start);
    if (m < k) {
      out.unshift({ start: start + k, end });
      end = start + k;
    } else {
      out.unshift({ start, end: start + k });
      start += k;
      m -= k;
    }
  }
  return out;
}

/**
 * Ranges of the subtrees whose hashes form the consistency proof from `size1` to
 * `size2` (RFC 6962 §2.1.2 PROOF). Needs 0 < size1 ≤ size2; equal sizes give [].
 */
export function consistencyProofRanges(size1: number, size2: number): SubtreeRange[] {
  checkSize(size1, 'size1');
  checkSize(size2, 'size2');
  if (size1 === 0 || size1 > size2) {
    throw new MerkleError(
      'SIZE_INVALID',
      `a consistency proof needs 0 < size1 ≤ size2, got size1 ${size1} and size2 ${size2}`,
    );
  }
  const out: SubtreeRange[] = [];
  // SUBPROOF(m, D[start:end], b), iteratively; results are prepended.
  let m = size1;
  let start = 0;
  let end = size2;
  let complete = true;
  for (;;) {
    const n = end - start;
    if (m === n) {
      if (!complete) out.unshift({ start, end });
      return out;
    }
    const k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      out.unshift({ start: start + k, end });
      end = start + k;
    } else {
      out.unshift({ start, end: start + k });
      start += k;
      m -= k;
      complete = false;
    }
  }
}

/** Inclusion proof for leaf `index` in the tree of `size`, reading subtree hashes. */
export function inclusionProofWith(
  index: number,
  size: number,
  getSubtreeHash: SubtreeHashGetter,
): Uint8Array[] {
  return inclusionProofRanges(index, size).map((r) => getSubtreeHash(r.start, r.end));
}

/** Consistency proof from `size1` to `size2`, reading subtree hashes. */
export function consistencyProofWith(
  size1: number,
  size2: number,
  getSubtreeHash: SubtreeHashGetter,
): Uint8Array[] {
  return consistencyProofRanges(size1, size2).map((r) => getSubtreeHash(r.start, r.end));
}

/** Inclusion proof for leaf `index` in the tree made of all `leafHashes`. */
export function inclusionProof(index: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  checkLeafHashes(leafHashes);
  return inclusionProofWith(index, leafHashes.length, (s, e) => subtreeHash(leafHashes, s, e));
}

/** Consistency proof from the first `size1` leaves to all `leafHashes`. */
export function consistencyProof(size1: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  checkLeafHashes(leafHashes);
  return consistencyProofWith(size1, leafHashes.length, (s, e) => subtreeHash(leafHashes, s, e));
}

/** MTH(D[start:end]) over in-memory leaf hashes (start < end). */
function subtreeHash(leaves: readonly Uint8Array[], start: number, end: number): Uint8Array {
  if (end - start === 1) return leaves[start]!;
  const k = largestPowerOfTwoBelow(end - start);
  return nodeHash(subtreeHash(leaves, start, start + k), subtreeHash(leaves, start + k, end));
}

function checkSize(size: number, what: string): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new MerkleError(
      'SIZE_INVALID',
      `${what} must be a non-negative safe integer, got ${String(size)}`,
    );
  }
}

function checkLeafHashes(leafHashes: readonly Uint8Array[]): void {
  leafHashes.forEach((h, i) => {
    if (h.length !== MERKLE_HASH_SIZE) {
      throw new MerkleError(
        'HASH_INVALID',
        `leaf hash ${i} must be a ${MERKLE_HASH_SIZE}-byte SHA-256 hash, got ${h.length} bytes`,
      );
    }
  });
}
