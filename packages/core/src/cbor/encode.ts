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

const utf8 = new TextEncoder();

/** Writes into one growable buffer: no allocation per head or per small item. */
class Writer {
  buf: Uint8Array;
  view: DataView;
  size = 0;
  canonical = false;
  constructor() {
    this.buf = new Uint8Array(1024);
    this.view = new DataView(this.buf.buffer);
  }

  ensure(n: number): void {
    const need = this.size + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const grown = new Uint8Array(cap);
    grown.set(this.buf.subarray(0, this.size));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.size++] = b;
  }

  push(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.size);
    this.size += b.length;
  }

  head(major: number, arg: number | bigint): void {
    const m = major << 5;
    if (typeof arg === 'number' && arg >= 0 && arg <= 0xffffffff && Number.isInteger(arg)) {
      this.ensure(5);
      const o = this.size;
      if (arg < 24) {
        this.buf[o] = m | arg;
        this.size = o + 1;
      } else if (arg < 0x100) {
        this.buf[o] = m | 24;
        this.buf[o + 1] = arg;
        this.size = o + 2;
      } else if (arg < 0x10000) {
        this.buf[o] = m | 25;
        this.view.setUint16(o + 1, arg);
        this.size = o + 3;
      } else {
        this.buf[o] = m | 26;
        this.view.setUint32(o + 1, arg);
        this.size = o + 5;
      }
      return;
    }
    const big = BigInt(arg);
    if (big < 0n || big > 0xffffffffffffffffn) {
      throw new CborError('CBOR_UNSUPPORTED_VALUE', `integer ${big} does not fit a CBOR head`);
    }
    if (big <= 0xffffffffn) {
      this.head(major, Number(big));
      return;
    }
    this.ensure(9);
    this.buf[this.size] = m | 27;
    this.view.setBigUint64(this.size + 1, big);
    this.size += 9;
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
      // UTF-8 is at most 3 bytes per UTF-16 unit: encode in place, then write the head
      if (v.length < 8) {
        const b = utf8.encode(v);
        this.head(3, b.length);
        this.push(b);
        return;
      }
      const max = v.length * 3;
      this.ensure(max + 9);
      const start = this.size;
      const headLen = max < 24 ? 1 : max < 0x100 ? 2 : max < 0x10000 ? 3 : 5;
      const { written } = utf8.encodeInto(v, this.buf.subarray(start + headLen));
      // the real head may be shorter than the one reserved for the worst case
      this.head(3, written);
      const actualHead = this.size - start;
      if (actualHead !== headLen) {
        this.buf.copyWithin(start + actualHead, start + headLen, start + headLen + written);
      }
      this.size = start + actualHead + written;
      return;
    }
    if (v instanceof Uint8Array) {
      this.head(2, v.length);
      this.push(v);
      return;
    }
    if (v === false) {
      this.byte(0xf4);
      return;
    }
    if (v === true) {
      this.byte(0xf5);
      return;
    }
    if (v === null) {
      this.byte(0xf6);
      return;
    }
    if (v === undefined) {
      this.byte(0xf7);
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
        this.byte(0xe0 | v.value);
        return;
      }
      if (v.value < 32 || v.value > 255) {
        throw new CborError('CBOR_UNSUPPORTED_VALUE', `simple value ${v.value} cannot be encoded`);
      }
      this.ensure(2);
      this.buf[this.size] = 0xf8;
      this.buf[this.size + 1] = v.value;
      this.size += 2;
      return;
    }
    throw new CborError('CBOR_UNSUPPORTED_VALUE', `cannot encode a value of type ${typeof v}`);
  }

  map(m: CborMap): void {
    this.head(5, m.size);
    if (!this.canonical) {
      for (const [k, v] of m.entries()) {
        this.value(k);
        this.value(v);
      }
      return;
    }
    const pairs = m.entries();
    // (-0 passes isSafeInteger but is written as a float: it takes the general path)
    if (pairs.every(([k]) => Number.isSafeInteger(k) && !Object.is(k, -0))) {
      // Integer keys (all of SUIT's and COSE's): bytewise order of their encodings is
      // every unsigned key by value, then every negative key from -1 down. Builders
      // mostly insert in that order already, so sort only when needed.
      let sorted = true;
      for (let i = 1; i < pairs.length && sorted; i++)
        sorted = intKeyOrder(pairs[i - 1]![0] as number, pairs[i]![0] as number) < 0;
      if (!sorted) pairs.sort(([a], [b]) => intKeyOrder(a as number, b as number));
      for (const [k, v] of pairs) {
        this.value(k);
        this.value(v);
      }
      return;
    }
    const entries = pairs
      .map(([k, v]) => [encodeCbor(k, { canonical: true }), v] as const)
      .sort(([a], [b]) => Buffer.compare(a, b));
    for (const [k, v] of entries) {
      this.push(k);
      this.value(v);
    }
  }

  float(v: number): void {
    const h = encodeHalf(v);
    this.ensure(9);
    const o = this.size;
    if (h !== undefined) {
      this.buf[o] = 0xf9;
      this.view.setUint16(o + 1, h);
      this.size = o + 3;
      return;
    }
    if (Math.fround(v) === v) {
      this.buf[o] = 0xfa;
      this.view.setFloat32(o + 1, v);
      this.size = o + 5;
      return;
    }
    this.buf[o] = 0xfb;
    this.view.setFloat64(o + 1, v);
    this.size = o + 9;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.size);
  }
}

/** Compare integer map keys in the order of their deterministic CBOR encodings. */
function intKeyOrder(a: number, b: number): number {
  if (a >= 0 !== b >= 0) return a >= 0 ? -1 : 1;
  return a >= 0 ? a - b : b - a;
}

/** Idle writers: encodeCbor re-enters itself (canonical map keys), so it keeps a few. */
const idle: Writer[] = [];
const KEEP_BYTES = 64 * 1024;

/** Encode a value as CBOR with shortest-form heads; see EncodeOptions for map order. */
export function encodeCbor(value: CborValue, opts: EncodeOptions = {}): Uint8Array {
  const w = idle.pop() ?? new Writer();
  w.size = 0;
  w.canonical = opts.canonical ?? false;
  try {
    w.value(value);
    return w.result();
  } finally {
    if (w.buf.length <= KEEP_BYTES && idle.length < 8) idle.push(w);
  }
}
