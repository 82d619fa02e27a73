import { DerError } from './errors.js';
import { children, DerTag } from './reader.js';
import type { DerElement } from './reader.js';

/** Check an element's identifier octet; `what` names the field for the message. */
export function expectTag(el: DerElement, tag: number, what: string): DerElement {
  if (el.tag !== tag) {
    throw new DerError(
      'DER_UNEXPECTED_TAG',
      `DER: ${what} has tag 0x${el.tag.toString(16)}, expected 0x${tag.toString(16)}`,
    );
  }
  return el;
}

function invalid(what: string, problem: string): DerError {
  return new DerError('DER_INVALID_VALUE', `DER: ${what} ${problem}`);
}

/** INTEGER content bytes, checked for minimal two's-complement encoding. */
export function integerBytes(el: DerElement, what = 'INTEGER'): Uint8Array {
  expectTag(el, DerTag.INTEGER, what);
  const c = el.content;
  if (c.length === 0) throw invalid(what, 'is empty');
  if (c.length > 1) {
    const a = c[0]!;
    const b = c[1]!;
    if ((a === 0x00 && b < 0x80) || (a === 0xff && b >= 0x80)) {
      throw invalid(what, 'is not minimally encoded');
    }
  }
  return c;
}

/** INTEGER as a bigint (two's complement). */
export function decodeInteger(el: DerElement, what = 'INTEGER'): bigint {
  const c = integerBytes(el, what);
  let v = 0n;
  for (const byte of c) v = (v << 8n) | BigInt(byte);
  if (c[0]! >= 0x80) v -= 1n << BigInt(c.length * 8);
  return v;
}

/** A small non-negative INTEGER as a number (for versions, path lengths). */
export function decodeSmallInteger(el: DerElement, what = 'INTEGER'): number {
  const v = decodeInteger(el, what);
  if (v < 0n || v > 0xffffn) throw invalid(what, `is ${v}, out of range 0..65535`);
  return Number(v);
}

/** BOOLEAN: DER allows only 0x00 and 0xff. */
export function decodeBoolean(el: DerElement, what = 'BOOLEAN'): boolean {
  expectTag(el, DerTag.BOOLEAN, what);
  const c = el.content;
  if (c.length !== 1 || (c[0] !== 0x00 && c[0] !== 0xff)) {
    throw invalid(what, 'is not a DER boolean (one octet, 0x00 or 0xff)');
  }
  return c[0] === 0xff;
}

/** NULL: empty content. */
export function expectNull(el: DerElement, what = 'NULL'): void {
  expectTag(el, DerTag.NULL, what);
  if (el.content.length !== 0) throw invalid(what, 'is a NULL with content');
}

/** OBJECT IDENTIFIER as a dotted string, strictly encoded. */
export function decodeOid(el: DerElement, what = 'OBJECT IDENTIFIER'): string {
  expectTag(el, DerTag.OID, what);
  const c = el.content;
  if (c.length === 0 || c.length > 64) throw invalid(what, 'has an invalid length');
  const arcs: bigint[] = [];
  let v = 0n;
  let fresh = true;
  for (const byte of c) {
    if (fresh && byte === 0x80) throw invalid(what, 'has a non-minimal sub-identifier');
    v = (v << 7n) | BigInt(byte & 0x7f);
    fresh = (byte & 0x80) === 0;
    if (fresh) {
      arcs.push(v);
      v = 0n;
    }
  }
  if (!fresh) throw invalid(what, 'ends inside a sub-identifier');
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}

/** BIT STRING: returns the bytes and the number of unused bits in the last byte. */
export function decodeBitString(
  el: DerElement,
  what = 'BIT STRING',
): { bytes: Uint8Array; unusedBits: number } {
  expectTag(el, DerTag.BIT_STRING, what);
  const c = el.content;
  const unused = c[0];
  if (unused === undefined || unused > 7) throw invalid(what, 'has a bad unused-bits octet');
  const bytes = c.subarray(1);
  if (bytes.length === 0 && unused !== 0) throw invalid(what, 'is empty with unused bits');
  const last = bytes[bytes.length - 1];
  if (last !== undefined && (last & ((1 << unused) - 1)) !== 0) {
    throw invalid(what, 'has non-zero unused bits');
  }
  return { bytes, unusedBits: unused };
}

/** UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ), DER form only. */
export function decodeTime(el: DerElement, what = 'Time'): Date {
  const s = latin1(el.content);
  let year: number;
  let rest: string;
  if (el.tag === DerTag.UTC_TIME) {
    if (!/^\d{12}Z$/.test(s)) throw invalid(what, `UTCTime "${s}" is not YYMMDDHHMMSSZ`);
    const yy = Number(s.slice(0, 2));
    year = yy < 50 ? 2000 + yy : 1900 + yy;
    rest = s.slice(2);
  } else if (el.tag === DerTag.GENERALIZED_TIME) {
    if (!/^\d{14}Z$/.test(s)) {
      throw invalid(what, `GeneralizedTime "${s}" is not YYYYMMDDHHMMSSZ`);
    }
    year = Number(s.slice(0, 4));
    rest = s.slice(4);
  } else {
    throw new DerError(
      'DER_UNEXPECTED_TAG',
      `DER: ${what} has tag 0x${el.tag.toString(16)}, expected UTCTime or GeneralizedTime`,
    );
  }
  const [mo, d, h, mi, se] = [0, 2, 4, 6, 8].map((i) => Number(rest.slice(i, i + 2))) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(year, mo - 1, d, h, mi, se);
  const date = new Date(ms);
  if (
    mo < 1 ||
    date.getUTCMonth() !== mo - 1 ||
    date.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    se > 59
  ) {
    throw invalid(what, `"${s}" is not a valid date and time`);
  }
  return date;
}

/** A directory string (UTF8, Printable, IA5, T61 as latin1, BMP) for display. */
export function decodeString(el: DerElement): string {
  switch (el.tag) {
    case DerTag.UTF8_STRING:
      return new TextDecoder('utf-8', { fatal: false }).decode(el.content);
    case DerTag.BMP_STRING: {
      let out = '';
      for (let i = 0; i + 1 < el.content.length; i += 2) {
        out += String.fromCharCode((el.content[i]! << 8) | el.content[i + 1]!);
      }
      return out;
    }
    default:
      return latin1(el.content);
  }
}

function latin1(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

/**
 * Walks the children of a SEQUENCE in order: `next` requires a field, `optional`
 * takes it only when the tag matches, `end` refuses leftovers.
 */
export class DerSequence {
  readonly #items: DerElement[];
  readonly #what: string;
  #i = 0;

  constructor(items: DerElement[], what: string) {
    this.#items = items;
    this.#what = what;
  }

  next(field: string, tag?: number): DerElement {
    const el = this.#items[this.#i];
    if (el === undefined) {
      throw new DerError('DER_INVALID_VALUE', `DER: ${this.#what} ends before its ${field}`);
    }
    this.#i++;
    return tag === undefined ? el : expectTag(el, tag, `${this.#what}.${field}`);
  }

  optional(tag: number): DerElement | undefined {
    const el = this.#items[this.#i];
    if (el?.tag !== tag) return undefined;
    this.#i++;
    return el;
  }

  get done(): boolean {
    return this.#i >= this.#items.length;
  }

  end(): void {
    if (!this.done) {
      throw new DerError(
        'DER_INVALID_VALUE',
        `DER: ${this.#what} has ${this.#items.length - this.#i} unexpected trailing field(s)`,
      );
    }
  }
}

/** Open a SEQUENCE for in-order field reading. */
export function sequence(el: DerElement, what: string): DerSequence {
  expectTag(el, DerTag.SEQUENCE, what);
  return new DerSequence(children(el), what);
}
