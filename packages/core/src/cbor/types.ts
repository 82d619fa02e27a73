import { BaseError } from '../errors/base-error.js';

export type CborErrorCode =
  | 'CBOR_TRUNCATED'
  | 'CBOR_TRAILING_BYTES'
  | 'CBOR_INDEFINITE_LENGTH'
  | 'CBOR_NON_MINIMAL'
  | 'CBOR_DUPLICATE_KEY'
  | 'CBOR_TOO_DEEP'
  | 'CBOR_TOO_LARGE'
  | 'CBOR_INVALID_UTF8'
  | 'CBOR_RESERVED'
  | 'CBOR_INVALID_SIMPLE'
  | 'CBOR_UNSUPPORTED_VALUE';

export class CborError extends BaseError<CborErrorCode> {}

/** A CBOR tag (major type 6) around a value. */
export class CborTag {
  constructor(
    readonly tag: number,
    readonly value: CborValue,
  ) {}
}

/** A simple value other than false/true/null/undefined (major type 7, 0..19 and 32..255). */
export class CborSimple {
  constructor(readonly value: number) {}
}

/**
 * A CBOR map that keeps its entries in order (so decoded input re-encodes byte-identically)
 * and compares keys by value (numbers, bigints, strings, bytes).
 */
export class CborMap {
  readonly #entries: [CborValue, CborValue][] = [];

  constructor(entries: Iterable<readonly [CborValue, CborValue]> = []) {
    for (const [k, v] of entries) this.set(k, v);
  }

  get size(): number {
    return this.#entries.length;
  }

  #index(key: CborValue): number {
    return this.#entries.findIndex(([k]) => keysEqual(k, key));
  }

  has(key: CborValue): boolean {
    return this.#index(key) >= 0;
  }

  get(key: CborValue): CborValue | undefined {
    const i = this.#index(key);
    return i >= 0 ? this.#entries[i]![1] : undefined;
  }

  /** Replaces the value of an existing key in place, or appends a new entry. */
  set(key: CborValue, value: CborValue): this {
    const i = this.#index(key);
    if (i >= 0) this.#entries[i]![1] = value;
    else this.#entries.push([key, value]);
    return this;
  }

  delete(key: CborValue): boolean {
    const i = this.#index(key);
    if (i < 0) return false;
    this.#entries.splice(i, 1);
    return true;
  }

  keys(): CborValue[] {
    return this.#entries.map(([k]) => k);
  }

  entries(): [CborValue, CborValue][] {
    return this.#entries.map(([k, v]) => [k, v]);
  }

  [Symbol.iterator](): IterableIterator<[CborValue, CborValue]> {
    return this.entries()[Symbol.iterator]();
  }
}

export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | undefined
  | Uint8Array
  | CborValue[]
  | CborMap
  | CborTag
  | CborSimple;

function keysEqual(a: CborValue, b: CborValue): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (typeof a === 'number' || typeof a === 'bigint') {
    if (typeof b !== 'number' && typeof b !== 'bigint') return false;
    // a float key (1.5, NaN) never equals a bigint; BigInt() of it would throw
    if (!Number.isInteger(a) || !Number.isInteger(b)) return false;
    return BigInt(a) === BigInt(b);
  }
  if (a instanceof Uint8Array) {
    return b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
  }
  return a === b;
}
