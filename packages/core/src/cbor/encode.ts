import { encodeHalf } from './decode.js';
import { CborError, CborMap, CborSimple, CborTag, type CborValue } from './types.js';

export interface EncodeOptions {
  /**
   * Sort map keys by their encoded bytes (RFC 8949 §4.2.1 core deterministic encoding).
   * Default false: maps keep their entry order, so a decoded item re-encodes byte-identically.
   * Integers, lengths and floats are always written in their shortest form.
   */
  readonly canonical?: boolean;
}

class Writer {
  chunks: Uint8Array[] = [];
  size = 0;
  constructor(readonly canonical: boolean) {}

  push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  head(major: number, arg: number | bigint): void {
    const m = major << 5;
    if (typeof arg === 'number' && arg < 24) {
      this.push(Uint8Array.of(m | arg));
      return;
    }
    const big = BigInt(arg);
    if (big < 0n || big > 0xffffffffffffffffn) {
      throw new CborError('CBOR_UNSUPPORTED_VALUE', `integer ${big} does not fit a CBOR head`);
    }
    if (big < 24n) {
      this.push(Uint8Array.of(m | Number(big)));
      return;
    }
    if (big < 0x100n) {
      this.push(Uint8Array.of(m | 24, Number(big)));
      return;
    }
    if (big < 0x10000n) {
      const b = new Uint8Array(3);
      b[0] = m | 25;
      new DataView(b.buffer).setUint16(1, Number(big));
      this.push(b);
      return;
    }
    if (big < 0x100000000n) {
      const b = new Uint8Array(5);
      b[0] = m | 26;
      new DataView(b.buffer).setUint32(1, Number(big));
      this.push(b);
      return;
    }
    const b = new Uint8Array(9);
    b[0] = m | 27;
    new DataView(b.buffer).setBigUint64(1, big);
    this.push(b);
  }

  value(v: CborValue): void {
    if (typeof v === 'number') {
      if (Number.isInteger(v) && !Object.is(v, -0)) {
        if (!Number.isSafeInteger(v)) {
          // beyond 64 bits an integral number is only representable as a float
          if (v >= -(2 ** 64) && v < 2 ** 64) this.value(BigInt(v));
          else this.float(v);
          return;
        }
        if (v >= 0) this.head(0, v);
        else this.head(1, -1 - v);
        return;
      }
      this.float(v);
      return;
    }
    if (typeof v === 'bigint') {
      if (v >= 0n) this.head(0, v);
      else this.head(1, -1n - v);
      return;
    }
    if (typeof v === 'string') {
      const b = new TextEncoder().encode(v);
      this.head(3, b.length);
      this.push(b);
      return;
    }
    if (v instanceof Uint8Array) {
      this.head(2, v.length);
      this.push(v);
      return;
    }
    if (v === false) {
      this.push(Uint8Array.of(0xf4));
      return;
    }
    if (v === true) {
      this.push(Uint8Array.of(0xf5));
      return;
    }
    if (v === null) {
      this.push(Uint8Array.of(0xf6));
      return;
    }
    if (v === undefined) {
      this.push(Uint8Array.of(0xf7));
      return;
    }
    if (Array.isArray(v)) {
      this.head(4, v.length);
      for (const x of v) this.value(x);
      return;
    }
    if (v instanceof CborMap) {
      this.map(v);
      return;
    }
    if (v instanceof CborTag) {
      this.head(6, v.tag);
      this.value(v.value);
      return;
    }
    if (v instanceof CborSimple) {
      if (v.value < 20) {
        this.push(Uint8Array.of(0xe0 | v.value));
        return;
      }
      if (v.value < 32 || v.value > 255) {
        throw new CborError('CBOR_UNSUPPORTED_VALUE', `simple value ${v.value} cannot be encoded`);
      }
      this.push(Uint8Array.of(0xf8, v.value));
      return;
    }
    throw new CborError('CBOR_UNSUPPORTED_VALUE', `cannot encode a value of type ${typeof v}`);
  }

  map(m: CborMap): void {
    this.head(5, m.size);
    let entries = m
      .entries()
      .map(([k, v]) => [encodeCbor(k, { canonical: this.canonical }), v] as const);
    if (this.canonical) entries = entries.sort(([a], [b]) => Buffer.compare(a, b));
    for (const [k, v] of entries) {
      this.push(k);
      this.value(v);
    }
  }

  float(v: number): void {
    const h = encodeHalf(v);
    if (h !== undefined) {
      const b = new Uint8Array(3);
      b[0] = 0xf9;
      new DataView(b.buffer).setUint16(1, h);
      this.push(b);
      return;
    }
    if (Math.fround(v) === v) {
      const b = new Uint8Array(5);
      b[0] = 0xfa;
      new DataView(b.buffer).setFloat32(1, v);
      this.push(b);
      return;
    }
    const b = new Uint8Array(9);
    b[0] = 0xfb;
    new DataView(b.buffer).setFloat64(1, v);
    this.push(b);
  }

  result(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

/** Encode a value as CBOR with shortest-form heads; see EncodeOptions for map order. */
export function encodeCbor(value: CborValue, opts: EncodeOptions = {}): Uint8Array {
  const w = new Writer(opts.canonical ?? false);
  w.value(value);
  return w.result();
}
