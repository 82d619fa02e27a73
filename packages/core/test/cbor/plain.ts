// A comparable plain form of a CborValue: node's deepStrictEqual does not see CborMap's
// private entries, so maps, tags and simple values are turned into tagged plain objects.
import { CborMap, CborSimple, CborTag, type CborValue } from '@cairn/core';

export type Plain =
  | number
  | bigint
  | string
  | boolean
  | null
  | undefined
  | Uint8Array
  | Plain[]
  | { map: [Plain, Plain][] }
  | { tag: number; value: Plain }
  | { simple: number };

export function plain(v: CborValue): Plain {
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof CborMap) return { map: v.entries().map(([k, x]) => [plain(k), plain(x)]) };
  if (v instanceof CborTag) return { tag: v.tag, value: plain(v.value) };
  if (v instanceof CborSimple) return { simple: v.value };
  return v;
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export function unhex(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h, 'hex'));
}
