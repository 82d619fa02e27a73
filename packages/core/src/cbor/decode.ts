import { CborError, CborMap, CborSimple, CborTag, type CborValue } from './types.js';

export interface DecodeOptions {
  /** Deepest nesting of arrays, maps and tags accepted. Default 32. */
  readonly maxDepth?: number;
  /** Largest byte or text string accepted, in bytes. Default: the input length. */
  readonly maxStringBytes?: number;
  /** Most items (array elements, map entries) in one container. Default 65 536. */
  readonly maxItems?: number;
  /** Accept indefinite-length strings, arrays and maps. Default false (SUIT forbids them). */
  readonly allowIndefinite?: boolean;
  /** Reject integers, lengths and floats not in their shortest form. Default true. */
  readonly requireMinimal?: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const BREAK = Symbol('break');

class Reader {
  pos = 0;
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly opts: Required<DecodeOptions>,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(code: ConstructorParameters<typeof CborError>[0], what: string, at = this.pos): never {
    throw new CborError(code, `CBOR ${what} (at byte ${at})`, { details: { offset: at } });
  }

  need(n: number, what: string): void {
    if (n > this.bytes.length - this.pos) {
      this.fail('CBOR_TRUNCATED', `input ends inside ${what}: ${n} more byte(s) needed`);
    }
  }

  /** Reads the argument of a head; returns -1 for indefinite length (ai 31). */
  argument(ai: number, start: number, major: number): number | bigint {
    if (ai < 24) return ai;
    let v: number | bigint;
    switch (ai) {
      case 24:
        this.need(1, 'an integer argument');
        v = this.bytes[this.pos]!;
        this.pos += 1;
        if (this.opts.requireMinimal && v < 24 && major !== 7) this.nonMinimal(start);
        return v;
      case 25:
        this.need(2, 'an integer argument');
        v = this.view.getUint16(this.pos);
        this.pos += 2;
        if (this.opts.requireMinimal && major !== 7 && v < 0x100) this.nonMinimal(start);
        return v;
      case 26:
        this.need(4, 'an integer argument');
        v = this.view.getUint32(this.pos);
        this.pos += 4;
        if (this.opts.requireMinimal && major !== 7 && v < 0x10000) this.nonMinimal(start);
        return v;
      case 27: {
        this.need(8, 'an integer argument');
        const big = this.view.getBigUint64(this.pos);
        this.pos += 8;
        if (this.opts.requireMinimal && major !== 7 && big < 0x100000000n) this.nonMinimal(start);
        return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
      }
      case 31:
        return -1;
      default:
        return this.fail('CBOR_RESERVED', `reserved additional information ${ai}`, start);
    }
  }

  nonMinimal(at: number): never {
    return this.fail('CBOR_NON_MINIMAL', 'integer or length not in its shortest encoding', at);
  }

  length(arg: number | bigint, what: string, start: number): number {
    if (typeof arg === 'bigint' || arg > Number.MAX_SAFE_INTEGER) {
      return this.fail('CBOR_TOO_LARGE', `${what} length ${arg} is beyond any cap`, start);
    }
    return arg;
  }

  item(depth: number): CborValue | typeof BREAK {
    const start = this.pos;
    this.need(1, 'an item head');
    const ib = this.bytes[this.pos]!;
    this.pos += 1;
    const major = ib >> 5;
    const ai = ib & 0x1f;
    if (ai === 31) {
      if (major === 7) return BREAK;
      if (major === 0 || major === 1 || major === 6) {
        this.fail(
          'CBOR_RESERVED',
          `indefinite length is not defined for major type ${major}`,
          start,
        );
      }
      if (!this.opts.allowIndefinite) {
        this.fail('CBOR_INDEFINITE_LENGTH', 'indefinite-length item is not allowed here', start);
      }
    }
    if (major === 7) return this.simple(ai, start);
    const arg = this.argument(ai, start, major);
    switch (major) {
      case 0:
        return arg;
      case 1:
        return typeof arg === 'bigint'
          ? -1n - arg
          : arg >= Number.MAX_SAFE_INTEGER
            ? -1n - BigInt(arg)
            : -1 - arg;
      case 2:
      case 3:
        return arg === -1
          ? this.indefiniteString(major, depth, start)
          : this.string(major, this.length(arg, 'string', start), start);
      case 4:
        return this.array(arg, depth, start);
      case 5:
        return this.map(arg, depth, start);
      default: {
        // major 6: tag
        if (depth >= this.opts.maxDepth)
          this.fail('CBOR_TOO_DEEP', `nesting deeper than ${this.opts.maxDepth}`, start);
        const tag =
          typeof arg === 'bigint'
            ? this.fail('CBOR_TOO_LARGE', 'tag number beyond 2^53', start)
            : arg;
        const inner = this.item(depth + 1);
        if (inner === BREAK) this.fail('CBOR_RESERVED', 'break code after a tag', start);
        return new CborTag(tag, inner);
      }
    }
  }

  string(major: number, len: number, start: number): Uint8Array | string {
    if (len > this.opts.maxStringBytes) {
      this.fail(
        'CBOR_TOO_LARGE',
        `string of ${len} bytes exceeds the cap of ${this.opts.maxStringBytes}`,
        start,
      );
    }
    this.need(len, 'a string');
    const raw = this.bytes.slice(this.pos, this.pos + len);
    this.pos += len;
    if (major === 2) return raw;
    try {
      return utf8.decode(raw);
    } catch {
      return this.fail('CBOR_INVALID_UTF8', 'text string is not valid UTF-8', start);
    }
  }

  indefiniteString(major: number, depth: number, start: number): Uint8Array | string {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const chunkStart = this.pos;
      this.need(1, 'an indefinite-length string');
      const ib = this.bytes[this.pos]!;
      if (ib === 0xff) {
        this.pos += 1;
        break;
      }
      if (ib >> 5 !== major || (ib & 0x1f) === 31) {
        this.fail('CBOR_RESERVED', 'indefinite-length string chunk of the wrong type', chunkStart);
      }
      const chunk = this.item(depth + 1);
      const bytes =
        typeof chunk === 'string' ? new TextEncoder().encode(chunk) : (chunk as Uint8Array);
      total += bytes.length;
      if (total > this.opts.maxStringBytes)
        this.fail('CBOR_TOO_LARGE', 'string exceeds the cap', start);
      parts.push(bytes);
    }
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return major === 2 ? out : utf8.decode(out);
  }

  count(arg: number | bigint, what: string, start: number, minBytesEach: number): number {
    if (arg === -1) return -1;
    const n = this.length(arg, what, start);
    if (n > this.opts.maxItems)
      this.fail(
        'CBOR_TOO_LARGE',
        `${what} of ${n} items exceeds the cap of ${this.opts.maxItems}`,
        start,
      );
    // every item needs at least one byte: a count beyond the rest of the input is truncation
    if (n * minBytesEach > this.bytes.length - this.pos) {
      this.fail('CBOR_TRUNCATED', `${what} declares ${n} items but the input ends first`, start);
    }
    return n;
  }

  array(arg: number | bigint, depth: number, start: number): CborValue[] {
    if (depth >= this.opts.maxDepth)
      this.fail('CBOR_TOO_DEEP', `nesting deeper than ${this.opts.maxDepth}`, start);
    const n = this.count(arg, 'array', start, 1);
    const out: CborValue[] = [];
    for (let i = 0; n < 0 || i < n; i++) {
      const v = this.item(depth + 1);
      if (v === BREAK) {
        if (n < 0) return out;
        this.fail('CBOR_RESERVED', 'unexpected break code inside an array', this.pos - 1);
      }
      if (n < 0 && out.length >= this.opts.maxItems)
        this.fail('CBOR_TOO_LARGE', 'array exceeds the item cap', start);
      out.push(v);
    }
    return out;
  }

  map(arg: number | bigint, depth: number, start: number): CborMap {
    if (depth >= this.opts.maxDepth)
      this.fail('CBOR_TOO_DEEP', `nesting deeper than ${this.opts.maxDepth}`, start);
    const n = this.count(arg, 'map', start, 2);
    const map = new CborMap();
    const seen = new Set<string>();
    for (let i = 0; n < 0 || i < n; i++) {
      const keyStart = this.pos;
      const k = this.item(depth + 1);
      if (k === BREAK) {
        if (n < 0) return map;
        this.fail('CBOR_RESERVED', 'unexpected break code inside a map', keyStart);
      }
      const keyBytes = Buffer.from(this.bytes.subarray(keyStart, this.pos)).toString('latin1');
      if (seen.has(keyBytes)) this.fail('CBOR_DUPLICATE_KEY', 'map has a duplicate key', keyStart);
      seen.add(keyBytes);
      const v = this.item(depth + 1);
      if (v === BREAK) this.fail('CBOR_RESERVED', 'map key without a value', this.pos - 1);
      if (n < 0 && map.size >= this.opts.maxItems)
        this.fail('CBOR_TOO_LARGE', 'map exceeds the item cap', start);
      map.set(k, v);
    }
    return map;
  }

  simple(ai: number, start: number): CborValue {
    switch (ai) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 24: {
        this.need(1, 'a simple value');
        const v = this.bytes[this.pos]!;
        this.pos += 1;
        if (v < 32)
          this.fail('CBOR_INVALID_SIMPLE', `simple value ${v} must use the one-byte form`, start);
        return new CborSimple(v);
      }
      case 25: {
        this.need(2, 'a half-precision float');
        const v = decodeHalf(this.view.getUint16(this.pos));
        this.pos += 2;
        return v;
      }
      case 26: {
        this.need(4, 'a single-precision float');
        const v = this.view.getFloat32(this.pos);
        this.pos += 4;
        if (this.opts.requireMinimal && fitsHalf(v))
          this.fail('CBOR_NON_MINIMAL', 'float not in its shortest form', start);
        return v;
      }
      case 27: {
        this.need(8, 'a double-precision float');
        const v = this.view.getFloat64(this.pos);
        this.pos += 8;
        if (this.opts.requireMinimal && (Number.isNaN(v) || Math.fround(v) === v)) {
          this.fail('CBOR_NON_MINIMAL', 'float not in its shortest form', start);
        }
        return v;
      }
      case 28:
      case 29:
      case 30:
        return this.fail('CBOR_RESERVED', `reserved additional information ${ai}`, start);
      default:
        return new CborSimple(ai);
    }
  }
}

function decodeHalf(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function fitsHalf(v: number): boolean {
  if (Number.isNaN(v) || !Number.isFinite(v)) return true;
  const buf = new DataView(new ArrayBuffer(2));
  const h = encodeHalf(v);
  if (h === undefined) return false;
  buf.setUint16(0, h);
  return decodeHalf(h) === v;
}

/** Half-precision bits for v when exactly representable, else undefined. */
export function encodeHalf(v: number): number | undefined {
  if (Number.isNaN(v)) return 0x7e00;
  if (v === Infinity) return 0x7c00;
  if (v === -Infinity) return 0xfc00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a === 0) return sign;
  for (let exp = -14; exp <= 15; exp++) {
    const m = a / 2 ** exp;
    if (exp === -14 && m < 1) {
      const sub = a / 2 ** -24;
      return Number.isInteger(sub) && sub < 1024 ? sign | sub : undefined;
    }
    if (m >= 1 && m < 2) {
      const frac = (m - 1) * 1024;
      return Number.isInteger(frac) ? sign | ((exp + 15) << 10) | frac : undefined;
    }
  }
  return undefined;
}

function resolveOptions(_bytes: Uint8Array, opts: DecodeOptions): Required<DecodeOptions> {
  return {
    maxDepth: opts.maxDepth ?? 32,
    // no explicit cap: a string can't outgrow the input, and one that would is truncation
    maxStringBytes: opts.maxStringBytes ?? Number.POSITIVE_INFINITY,
    maxItems: opts.maxItems ?? 65536,
    allowIndefinite: opts.allowIndefinite ?? false,
    requireMinimal: opts.requireMinimal ?? true,
  };
}

/**
 * Decode exactly one CBOR item that fills `bytes` entirely. Strict by default:
 * trailing bytes, indefinite lengths, non-shortest encodings, duplicate map keys,
 * invalid UTF-8 and nesting or sizes beyond the caps are all rejected with a typed error.
 */
export function decodeCbor(bytes: Uint8Array, opts: DecodeOptions = {}): CborValue {
  const { value, length } = decodeCborPrefix(bytes, opts);
  if (length !== bytes.length) {
    throw new CborError(
      'CBOR_TRAILING_BYTES',
      `CBOR item ends at byte ${length} but ${bytes.length - length} byte(s) follow`,
      {
        details: { offset: length },
      },
    );
  }
  return value;
}

/** Decode the first CBOR item of `bytes`; returns it and how many bytes it took. */
export function decodeCborPrefix(
  bytes: Uint8Array,
  opts: DecodeOptions = {},
): { value: CborValue; length: number } {
  const r: Reader = new Reader(bytes, resolveOptions(bytes, opts));
  const value = r.item(0);
  if (value === BREAK) r.fail('CBOR_RESERVED', 'break code outside an indefinite-length item', 0);
  return { value, length: r.pos };
}
