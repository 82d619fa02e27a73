/**
 * Strict text encodings shared by the transparency formats. Every decoder here
 * accepts exactly one spelling of a value (canonical base64 with padding, decimal
 * without leading zeros or signs), so that a parsed value always re-encodes to the
 * bytes that were signed.
 */

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DECIMAL_RE = /^(?:0|[1-9][0-9]*)$/;

/**
 * Decode standard (RFC 4648 §4) padded base64, or return undefined when `text` is
 * not the canonical encoding of some byte string (wrong alphabet, missing padding,
 * non-zero unused bits, whitespace).
 */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  if (!BASE64_RE.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Standard padded base64. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Parse an ASCII decimal with no sign and no leading zeros (except `0` itself) that
 * fits a JavaScript safe integer; undefined otherwise.
 */
export function parseCanonicalDecimal(text: string): number | undefined {
  if (text.length > 16 || !DECIMAL_RE.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Byte-wise equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Decode UTF-8 strictly; undefined when the bytes are not valid UTF-8. */
export function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** UTF-8 bytes of `text`; undefined when it holds a lone surrogate (not encodable). */
export function encodeUtf8Strict(text: string): Uint8Array | undefined {
  const bytes = utf8Encoder.encode(text);
  return decodeUtf8Strict(bytes) === text ? bytes : undefined;
}
