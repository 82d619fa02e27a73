import { createHash } from 'node:crypto';

/** Size in bytes of every RFC 6962 hash (SHA-256). */
export const MERKLE_HASH_SIZE = 32;

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ data). */
export function leafHash(data: Uint8Array): Uint8Array {
  return digest(createHash('sha256').update(LEAF_PREFIX).update(data));
}

/** RFC 6962 interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return digest(createHash('sha256').update(NODE_PREFIX).update(left).update(right));
}

/** Root hash of the empty tree: SHA-256 of the empty string. */
export function emptyRoot(): Uint8Array {
  return digest(createHash('sha256'));
}

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

function digest(h: ReturnType<typeof createHash>): Uint8Array {
  const b = h.digest();
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
