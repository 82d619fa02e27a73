import { randomBytes } from 'node:crypto';

/**
 * A random 128-bit certificate serial as 32 lowercase hex digits: positive (first bit 0),
 * with a non-zero first byte so it always encodes as exactly 16 DER content bytes,
 * hence never zero. 127 bits of randomness (RFC 5280 §4.1.2.2, CA/B BR ≥ 64 bits).
 */
export function randomSerial(): string {
  for (;;) {
    const b = randomBytes(16);
    b[0] = b[0]! & 0x7f;
    if (b[0] !== 0) return b.toString('hex');
  }
}

const SERIAL_RE = /^[0-9a-f]{2,40}$/;

/** Normalise a user-given serial (hex, any case, optional colons or 0x) or return undefined. */
export function normalizeSerial(input: string): string | undefined {
  let s = input.trim().toLowerCase().replace(/:/g, '');
  if (s.startsWith('0x')) s = s.slice(2);
  if (s.length % 2 === 1) s = '0' + s;
  return SERIAL_RE.test(s) ? s : undefined;
}
