/**
 * Canonical JSON (the RFC 8785 subset our records need): object keys sorted by UTF-16
 * code units, no whitespace, strings and numbers as ECMAScript JSON.stringify writes
 * them (shortest round-trip numbers), no undefined values. Parsing the output and
 * encoding again gives the same bytes, which is what lets a verifier recompute a
 * record's hash from stored columns.
 */

/** A JSON value as records carry it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/** Canonical JSON text of `value`; throws TypeError for what JSON cannot carry. */
export function canonicalJson(value: unknown): string {
  return encode(value, 0);
}

const MAX_DEPTH = 32;

function encode(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new TypeError(`nested deeper than ${MAX_DEPTH} levels`);
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`number ${value} is not finite`);
      return JSON.stringify(value);
    case 'string':
      if (!isWellFormed(value)) throw new TypeError('string holds a lone surrogate or U+0000');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += encode(value[i], depth + 1);
        }
        return `${out}]`;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError('only plain objects, arrays and primitives are JSON');
      }
      const obj = value as Record<string, unknown>;
      // Object.keys order is insertion order (integer-like keys first): sort by UTF-16
      // code units, which the default sort of strings does
      const keys = Object.keys(obj).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        if (!isWellFormed(k)) throw new TypeError('key holds a lone surrogate or U+0000');
        out += `${first ? '' : ','}${JSON.stringify(k)}:${encode(v, depth + 1)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`a ${typeof value} is not JSON`);
  }
}

const LONE_SURROGATE_OR_NUL =
  // eslint-disable-next-line no-control-regex -- U+0000 is what we refuse
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\u0000/;

/** No lone surrogates (not UTF-8 encodable) and no NUL (PostgreSQL text refuses it). */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE_OR_NUL.test(text);
}
