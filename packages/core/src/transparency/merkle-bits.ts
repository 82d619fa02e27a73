/**
 * Bit arithmetic for tree sizes and indices up to 2^53 (JavaScript safe integers),
 * done on bigint so nothing is silently truncated to 32 bits.
 */

/** Number of bits needed to write `x` (0 for 0), like Go's bits.Len64. */
export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** Number of set bits, like Go's bits.OnesCount64. */
export function onesCount(x: bigint): number {
  let n = 0;
  for (let v = x; v > 0n; v >>= 1n) if ((v & 1n) === 1n) n++;
  return n;
}

/** Number of trailing zero bits of a non-zero `x`, like Go's bits.TrailingZeros64. */
export function trailingZeros(x: bigint): number {
  let n = 0;
  for (let v = x; (v & 1n) === 0n && v > 0n; v >>= 1n) n++;
  return n;
}

/** The largest power of two strictly less than `n` (n ≥ 2). */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
