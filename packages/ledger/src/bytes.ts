/** Byte-wise equality (hashes only, so no constant-time need). */
export function bytesEqualPublic(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
