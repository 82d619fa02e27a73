import { CborError, CborMap, CborTag, decodeCbor, type CborValue } from '../cbor/index.js';
import { malformed, SuitError } from './errors.js';
import type { SuitLimits } from './limits.js';

/** Decoding state shared by the manifest and command decoders. */
export interface ReadContext {
  readonly limits: SuitLimits;
  /** Commands decoded so far (for maxTotalCommands). */
  commands: number;
}

export function describe(v: CborValue): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (v instanceof Uint8Array) return `a byte string (${v.length} bytes)`;
  if (Array.isArray(v)) return `an array (${v.length} items)`;
  if (v instanceof CborMap) return `a map (${v.size} entries)`;
  if (v instanceof CborTag) return `tag ${v.tag}`;
  if (typeof v === 'bigint') return 'an integer';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a float';
  if (typeof v === 'string') return 'a text string';
  if (typeof v === 'boolean') return 'a boolean';
  return 'a simple value';
}

/** Decode one bstr-wrapped CBOR item with the CBOR caps; any CBOR error → SUIT_MALFORMED. */
export function decodeWrapped(bytes: Uint8Array, where: string, ctx: ReadContext): CborValue {
  try {
    return decodeCbor(bytes, {
      maxDepth: ctx.limits.maxCborDepth,
      maxItems: ctx.limits.maxEnvelopeBytes,
    });
  } catch (err) {
    if (err instanceof CborError) throw malformed(where, `not valid CBOR (${err.message})`, err);
    throw err;
  }
}

export function asMap(v: CborValue, where: string): CborMap {
  if (!(v instanceof CborMap)) throw malformed(where, `expected a map, got ${describe(v)}`);
  return v;
}

export function asArray(v: CborValue, where: string): CborValue[] {
  if (!Array.isArray(v)) throw malformed(where, `expected an array, got ${describe(v)}`);
  return v;
}

export function asBytes(v: CborValue, where: string): Uint8Array {
  if (!(v instanceof Uint8Array))
    throw malformed(where, `expected a byte string, got ${describe(v)}`);
  return v;
}

export function asText(v: CborValue, where: string): string {
  if (typeof v !== 'string') throw malformed(where, `expected a text string, got ${describe(v)}`);
  return v;
}

export function asBool(v: CborValue, where: string): boolean {
  if (typeof v !== 'boolean') throw malformed(where, `expected a boolean, got ${describe(v)}`);
  return v;
}

/** An unsigned integer that fits a JS number exactly. */
export function asUint(v: CborValue, where: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw malformed(where, `expected an unsigned integer, got ${describe(v)}`);
  }
  return v;
}

/** A uint64, exact: number when safe, else bigint. */
export function asUint64(v: CborValue, where: string): number | bigint {
  if (typeof v === 'bigint' && v >= 0n && v <= 0xffffffffffffffffn) return v;
  return asUint(v, where);
}

/** Any integer (negative keys, algorithm ids), as a safe number. */
export function asInt(v: CborValue, where: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw malformed(where, `expected an integer, got ${describe(v)}`);
  }
  return v;
}

export function limit(count: number, max: number, what: string, where: string): void {
  if (count > max) {
    throw new SuitError(
      'SUIT_LIMIT_EXCEEDED',
      `${where}: ${count} ${what} exceed the cap of ${max}; raise the limit only for trusted input`,
      { details: { where, count, max } },
    );
  }
}

/** Integer keys of a map: refuse any other key type. */
export function intKey(k: CborValue, where: string): number {
  return asInt(k, `${where} key`);
}
