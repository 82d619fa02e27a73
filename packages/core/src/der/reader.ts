import { DerError } from './errors.js';

/** ASN.1 universal tags (identifier octets as they appear on the wire). */
export const DerTag = Object.freeze({
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
});

/** One decoded TLV. Byte views share memory with the input (no copies). */
export interface DerElement {
  /** The single identifier octet (class, constructed bit and tag number). */
  readonly tag: number;
  readonly constructed: boolean;
  /** Offset of the identifier octet in the input buffer. */
  readonly start: number;
  readonly headerLength: number;
  /** Offset just past the element. */
  readonly end: number;
  /** The content octets. */
  readonly content: Uint8Array;
  /** The whole element: identifier, length and content octets. */
  readonly raw: Uint8Array;
}

export interface DerLimits {
  /** Deepest nesting of constructed elements accepted (default 32). */
  readonly maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 32;
/** Length fields wider than this are refused (4 bytes = up to 4 GiB, far beyond any cap). */
const MAX_LENGTH_OCTETS = 4;

/**
 * Read one TLV at `offset` of `buf`, strictly: low-tag-number form only, definite
 * minimal lengths, content inside the buffer. Does not look inside the content.
 */
export function readElement(buf: Uint8Array, offset: number): DerElement {
  const id = buf[offset];
  if (id === undefined) throw truncated(offset, 'an identifier octet');
  if ((id & 0x1f) === 0x1f) {
    throw new DerError(
      'DER_UNSUPPORTED_TAG',
      `DER: high-tag-number form at offset ${offset} is not used by the formats we read; the input is not what was expected`,
    );
  }
  const constructed = (id & 0x20) !== 0;
  const universal = (id & 0xc0) === 0;
  if (universal) {
    const n = id & 0x1f;
    const mustBeConstructed = n === 0x10 || n === 0x11;
    if (n === 0 || constructed !== mustBeConstructed) {
      throw new DerError(
        'DER_UNSUPPORTED_TAG',
        `DER: universal tag 0x${id.toString(16)} at offset ${offset} has the wrong form (DER forbids constructed strings and tag 0)`,
      );
    }
  }
  const first = buf[offset + 1];
  if (first === undefined) throw truncated(offset + 1, 'a length octet');
  let length: number;
  let headerLength: number;
  if (first < 0x80) {
    length = first;
    headerLength = 2;
  } else if (first === 0x80) {
    throw new DerError(
      'DER_INDEFINITE_LENGTH',
      `DER: indefinite length at offset ${offset + 1}; DER requires definite lengths (re-encode as DER)`,
    );
  } else {
    const n = first & 0x7f;
    if (n > MAX_LENGTH_OCTETS) {
      throw new DerError(
        'DER_LENGTH_TOO_LARGE',
        `DER: a ${n}-octet length field at offset ${offset + 1} exceeds the ${MAX_LENGTH_OCTETS}-octet limit`,
      );
    }
    if (offset + 2 + n > buf.length) throw truncated(offset + 2, `${n} length octets`);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[offset + 2 + i]!;
    if (buf[offset + 2] === 0 || length < 0x80) {
      throw new DerError(
        'DER_NON_MINIMAL_LENGTH',
        `DER: non-minimal length encoding at offset ${offset + 1}; DER requires the shortest form`,
      );
    }
    headerLength = 2 + n;
  }
  const contentStart = offset + headerLength;
  const end = contentStart + length;
  if (end > buf.length) {
    throw truncated(
      contentStart,
      `${length} content octets (only ${buf.length - contentStart} left)`,
    );
  }
  return {
    tag: id,
    constructed,
    start: offset,
    headerLength,
    end,
    content: buf.subarray(contentStart, end),
    raw: buf.subarray(offset, end),
  };
}

/**
 * Decode `buf` as exactly one DER element and validate every nested constructed
 * element (iteratively, bounded by `maxDepth`). Trailing bytes are refused.
 */
export function decodeDer(buf: Uint8Array, limits: DerLimits = {}): DerElement {
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  const root = readElement(buf, 0);
  if (root.end !== buf.length) {
    throw new DerError(
      'DER_TRAILING_BYTES',
      `DER: ${buf.length - root.end} trailing byte(s) after the element at offset ${root.end}`,
    );
  }
  const stack: { el: DerElement; depth: number }[] = [{ el: root, depth: 0 }];
  while (stack.length > 0) {
    const { el, depth } = stack.pop()!;
    if (!el.constructed) continue;
    if (depth >= maxDepth) {
      throw new DerError(
        'DER_TOO_DEEP',
        `DER: nesting deeper than ${maxDepth} levels at offset ${el.start}`,
      );
    }
    for (const child of children(el)) stack.push({ el: child, depth: depth + 1 });
  }
  return root;
}

/** The elements inside a constructed element, which must exactly fill its content. */
export function children(el: DerElement): DerElement[] {
  const out: DerElement[] = [];
  const c = el.content;
  let off = 0;
  while (off < c.length) {
    const child = readElement(c, off);
    out.push(child);
    off = child.end;
  }
  return out;
}

function truncated(offset: number, what: string): DerError {
  return new DerError(
    'DER_TRUNCATED',
    `DER: input ends at offset ${offset} where ${what} was expected`,
  );
}
