import { hash } from 'node:crypto';

/** Size in bytes of every RFC 6962 hash (SHA-256). */
export const MERKLE_HASH_SIZE = 32;

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ data). */
export function leafHash(data: Uint8Array): Uint8Array {
  const input = Buffer.allocUnsafe(1 + data.length);
  input[0] = 0x00;
  input.set(data, 1);
  return oneShot(input);
}

/** RFC 6962 interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  // the usual case, two 32-byte hashes, goes through one reused buffer
  const input =
    left.length === MERKLE_HASH_SIZE && right.length === MERKLE_HASH_SIZE
      ? NODE_INPUT
      : Buffer.allocUnsafe(1 + left.length + right.length);
  input[0] = 0x01;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return oneShot(input);
}

/**
 * SHA-256 with the one-shot crypto.hash (about a third of a Hash object's cost; these
 * run several times per signature in the signing service's tree mirror). The input is
 * hashed before this returns, so a reused buffer is safe.
 */
function oneShot(input: Buffer): Uint8Array {
  const b = hash('sha256', input, 'buffer');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

const NODE_INPUT = Buffer.alloc(1 + 2 * MERKLE_HASH_SIZE);

/** Root hash of the empty tree: SHA-256 of the empty string. */
export function emptyRoot(): Uint8Array {
  return oneShot(Buffer.alloc(0));
}
