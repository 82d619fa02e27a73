import { BaseError } from '../errors/base-error.js';

/**
 * Why a Merkle proof was refused or could not be built.
 * - `PROOF_INVALID`: the proof is structurally wrong (not a hash, empty where one is needed).
 * - `PROOF_WRONG_LENGTH`: the proof has more or fewer hashes than the sizes require.
 * - `INDEX_OUT_OF_RANGE`: the leaf index is not inside the tree.
 * - `ROOT_MISMATCH`: the proof recomputes to a different root than the one given.
 * - `SIZE_INVALID`: a tree size is negative, not an integer, too large, or the sizes
 *   of a consistency check are in the wrong order.
 * - `HASH_INVALID`: a leaf or root hash is not a 32-byte SHA-256 value.
 */
export type MerkleErrorCode =
  | 'PROOF_INVALID'
  | 'PROOF_WRONG_LENGTH'
  | 'INDEX_OUT_OF_RANGE'
  | 'ROOT_MISMATCH'
  | 'SIZE_INVALID'
  | 'HASH_INVALID';

export class MerkleError extends BaseError<MerkleErrorCode> {}
