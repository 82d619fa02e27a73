/**
 * RFC 6962 / RFC 9162 proof verification (§2.1.3.2 inclusion, §2.1.4.2 consistency),
 * in the decomposed form of transparency-dev/merkle's proof package: the expected
 * proof length is derived from the sizes first, so a proof with a hash too many or
 * too few is refused before any hashing.
 */
import { bytesEqual } from './encoding.js';
import { MerkleError } from './merkle-error.js';
import { MERKLE_HASH_SIZE, emptyRoot, nodeHash } from './merkle-hash.js';
import { bitLength, onesCount, trailingZeros } from './merkle-bits.js';

export interface InclusionProofInput {
  /** Zero-based index of the leaf in the tree. */
  readonly leafIndex: number;
  /** Number of leaves in the tree the proof is for. */
  readonly treeSize: number;
  /** RFC 6962 leaf hash (see `leafHash`). */
  readonly leafHash: Uint8Array;
  /** Audit path, from the leaf's sibling up to the root's child. */
  readonly proof: readonly Uint8Array[];
}

export interface VerifyInclusionInput extends InclusionProofInput {
  /** Expected root hash of the tree of size `treeSize`. */
  readonly root: Uint8Array;
}

export interface VerifyConsistencyInput {
  readonly size1: number;
  readonly size2: number;
  readonly root1: Uint8Array;
  readonly root2: Uint8Array;
  readonly proof: readonly Uint8Array[];
}

/**
 * The root hash an inclusion proof leads to. Throws `MerkleError` when the index,
 * size, leaf hash or proof shape is wrong; never returns a root for a malformed proof.
 */
export function rootFromInclusionProof(input: InclusionProofInput): Uint8Array {
  const size = checkSize(input.treeSize, 'treeSize');
  const index = checkIndex(input.leafIndex, size);
  checkHash(input.leafHash, 'leafHash');
  checkProofHashes(input.proof);
  const { inner, border } = decomposeInclusionProof(index, size);
  if (input.proof.length !== inner + border) {
    throw new MerkleError(
      'PROOF_WRONG_LENGTH',
      `inclusion proof for leaf ${input.leafIndex} in a tree of ${input.treeSize} must have ${inner + border} hashes, got ${input.proof.length}`,
    );
  }
  let h = chainInner(input.leafHash, input.proof.slice(0, inner), index);
  h = chainBorderRight(h, input.proof.slice(inner));
  return h;
}

/** Verify that `leafHash` is at `leafIndex` in the tree of `treeSize` with `root`. */
export function verifyInclusion(input: VerifyInclusionInput): void {
  checkHash(input.root, 'root');
  const computed = rootFromInclusionProof(input);
  if (!bytesEqual(computed, input.root)) {
    throw new MerkleError(
      'ROOT_MISMATCH',
      `inclusion proof for leaf ${input.leafIndex} does not lead to the given root of the tree of size ${input.treeSize}: the leaf is not in that tree, or the proof or root is wrong`,
    );
  }
}

/**
 * Verify that the tree of `size2` with `root2` extends the tree of `size1` with `root1`.
 * Equal sizes need an empty proof and equal roots. A consistency check from the empty
 * tree proves nothing and is refused (`SIZE_INVALID`); two empty trees must both carry
 * the empty-tree root SHA-256("").
 */
export function verifyConsistency(input: VerifyConsistencyInput): void {
  const size1 = checkSize(input.size1, 'size1');
  const size2 = checkSize(input.size2, 'size2');
  const { proof, root1, root2 } = input;
  if (size2 < size1) {
    throw new MerkleError(
      'SIZE_INVALID',
      `size2 (${input.size2}) is smaller than size1 (${input.size1}): a log never shrinks; check the order of the checkpoints`,
    );
  }
  if (size1 === size2) {
    if (proof.length !== 0) {
      throw new MerkleError(
        'PROOF_WRONG_LENGTH',
        `consistency proof between equal sizes (${input.size1}) must be empty, got ${proof.length} hashes`,
      );
    }
    if (size1 === 0n) {
      const empty = emptyRoot();
      if (!bytesEqual(root1, empty) || !bytesEqual(root2, empty)) {
        throw new MerkleError(
          'ROOT_MISMATCH',
          'a tree of size 0 must have the empty-tree root SHA-256("")',
        );
      }
      return;
    }
    matchRoot(root1, root2, 'root1 and root2 differ although the sizes are equal: the log forked');
    return;
  }
  if (size1 === 0n) {
    throw new MerkleError(
      'SIZE_INVALID',
      'a consistency proof from the empty tree (size1 = 0) proves nothing; trust the first checkpoint by its signature instead',
    );
  }
  checkHash(root1, 'root1');
  checkHash(root2, 'root2');
  checkProofHashes(proof);
  if (proof.length === 0) {
    throw new MerkleError(
      'PROOF_WRONG_LENGTH',
      `consistency proof from size ${input.size1} to ${input.size2} must not be empty`,
    );
  }

  const decomposed = decomposeInclusionProof(size1 - 1n, size2);
  const shift = trailingZeros(size1);
  const inner = decomposed.inner - shift;
  const { border } = decomposed;
  // The proof starts with the root of the subtree of size 2^shift, unless size1 is
  // that very power of two, whose root is root1 itself.
  const size1IsPowerOfTwo = size1 === 1n << BigInt(shift);
  const start = size1IsPowerOfTwo ? 0 : 1;
  const seed = size1IsPowerOfTwo ? root1 : proof[0]!;
  if (proof.length !== start + inner + border) {
    throw new MerkleError(
      'PROOF_WRONG_LENGTH',
      `consistency proof from size ${input.size1} to ${input.size2} must have ${start + inner + border} hashes, got ${proof.length}`,
    );
  }
  const rest = proof.slice(start);
  const mask = (size1 - 1n) >> BigInt(shift);

  let hash1 = chainInnerRight(seed, rest.slice(0, inner), mask);
  hash1 = chainBorderRight(hash1, rest.slice(inner));
  matchRoot(
    hash1,
    root1,
    `consistency proof does not lead to root1 of the tree of size ${input.size1}`,
  );

  let hash2 = chainInner(seed, rest.slice(0, inner), mask);
  hash2 = chainBorderRight(hash2, rest.slice(inner));
  matchRoot(
    hash2,
    root2,
    `consistency proof does not lead to root2 of the tree of size ${input.size2}`,
  );
}

/**
 * Split an inclusion proof for `index` in a tree of `size` into the part below the
 * point where the leaf's path leaves the right border (`inner`) and the border part.
 */
function decomposeInclusionProof(index: bigint, size: bigint): { inner: number; border: number } {
  const inner = bitLength(index ^ (size - 1n));
  const border = onesCount(index >> BigInt(inner));
  return { inner, border };
}

function chainInner(seed: Uint8Array, proof: readonly Uint8Array[], index: bigint): Uint8Array {
  let h = seed;
  proof.forEach((p, i) => {
    h = ((index >> BigInt(i)) & 1n) === 0n ? nodeHash(h, p) : nodeHash(p, h);
  });
  return h;
}

function chainInnerRight(
  seed: Uint8Array,
  proof: readonly Uint8Array[],
  index: bigint,
): Uint8Array {
  let h = seed;
  proof.forEach((p, i) => {
    if (((index >> BigInt(i)) & 1n) === 1n) h = nodeHash(p, h);
  });
  return h;
}

function chainBorderRight(seed: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  let h = seed;
  for (const p of proof) h = nodeHash(p, h);
  return h;
}

function matchRoot(computed: Uint8Array, expected: Uint8Array, message: string): void {
  if (!bytesEqual(computed, expected)) throw new MerkleError('ROOT_MISMATCH', message);
}

function checkSize(size: number, what: string): bigint {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new MerkleError(
      'SIZE_INVALID',
      `${what} must be a non-negative safe integer, got ${String(size)}`,
    );
  }
  return BigInt(size);
}

function checkIndex(index: number, size: bigint): bigint {
  if (!Number.isSafeInteger(index) || index < 0 || BigInt(index) >= size) {
    throw new MerkleError(
      'INDEX_OUT_OF_RANGE',
      `leaf index ${String(index)} is not inside a tree of size ${size}`,
    );
  }
  return BigInt(index);
}

function checkHash(hash: Uint8Array, what: string): void {
  if (hash.length !== MERKLE_HASH_SIZE) {
    throw new MerkleError(
      'HASH_INVALID',
      `${what} must be a ${MERKLE_HASH_SIZE}-byte SHA-256 hash, got ${hash.length} bytes`,
    );
  }
}

function checkProofHashes(proof: readonly Uint8Array[]): void {
  proof.forEach((p, i) => {
    if (p.length !== MERKLE_HASH_SIZE) {
      throw new MerkleError(
        'PROOF_INVALID',
        `proof hash ${i} must be ${MERKLE_HASH_SIZE} bytes, got ${p.length}`,
      );
    }
  });
}
