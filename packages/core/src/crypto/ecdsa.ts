import { CoseError } from '../cose/errors.js';

/** Field sizes (bytes) of the curves whose raw r‖s signatures we convert. */
export type EcdsaFieldSize = 32 | 48 | 66;

function derInteger(v: Uint8Array): Uint8Array {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  const body = v.subarray(i);
  const pad = (body[0] ?? 0) & 0x80 ? 1 : 0;
  const out = new Uint8Array(2 + pad + body.length);
  out[0] = 0x02;
  out[1] = pad + body.length;
  out.set(body, 2 + pad);
  return out;
}

/** Convert a raw ECDSA signature r‖s (IEEE P1363, as COSE carries it) to DER (as X.509/PKCS#11 tools do). */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length !== 64 && raw.length !== 96 && raw.length !== 132) {
    throw new CoseError(
      'SIGNATURE_INVALID',
      `raw ECDSA signature has ${raw.length} bytes; expected 64 (P-256), 96 (P-384) or 132 (P-521)`,
    );
  }
  const half = raw.length / 2;
  const r = derInteger(raw.subarray(0, half));
  const s = derInteger(raw.subarray(half));
  const bodyLen = r.length + s.length;
  const head = bodyLen < 0x80 ? [0x30, bodyLen] : [0x30, 0x81, bodyLen];
  const out = new Uint8Array(head.length + bodyLen);
  out.set(head, 0);
  out.set(r, head.length);
  out.set(s, head.length + r.length);
  return out;
}

function bad(why: string): never {
  throw new CoseError('SIGNATURE_INVALID', `DER ECDSA signature is malformed: ${why}`);
}

/** Convert a DER ECDSA signature (SEQUENCE { r INTEGER, s INTEGER }) to raw r‖s of 2×size bytes. Strict DER. */
export function ecdsaDerToRaw(der: Uint8Array, size: EcdsaFieldSize): Uint8Array {
  if (der.length < 8 || der.length > 2 * size + 9) bad(`length ${der.length} is impossible`);
  if (der[0] !== 0x30) bad('does not start with a SEQUENCE');
  let pos = 2;
  let len = der[1]!;
  if (len === 0x81) {
    len = der[2]!;
    pos = 3;
    if (len < 0x80) bad('non-minimal length');
  } else if (len > 0x7f) bad('unsupported length form');
  if (pos + len !== der.length) bad('SEQUENCE length does not match the input');
  const out = new Uint8Array(2 * size);
  for (let k = 0; k < 2; k++) {
    if (der[pos] !== 0x02) bad('expected an INTEGER');
    const n = der[pos + 1]!;
    if (n === 0 || n > 0x7f || pos + 2 + n > der.length) bad('INTEGER length is out of range');
    let v = der.subarray(pos + 2, pos + 2 + n);
    if (v[0]! & 0x80) bad('negative INTEGER');
    if (v.length > 1 && v[0] === 0 && !(v[1]! & 0x80)) bad('non-minimal INTEGER');
    if (v[0] === 0 && v.length > 1) v = v.subarray(1);
    if (v.length > size) bad(`INTEGER longer than ${size} bytes`);
    out.set(v, k * size + size - v.length);
    pos += 2 + n;
  }
  if (pos !== der.length) bad('bytes after the second INTEGER');
  return out;
}
