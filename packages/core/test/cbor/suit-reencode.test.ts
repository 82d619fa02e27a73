// The six SUIT example envelopes (vectors/suit) and every CBOR item wrapped in a bstr inside
// them (authentication wrapper, digest, COSE_Sign1, protected headers, manifest, common,
// command sequences...) re-encode byte-identically; canonical encoding sorts map keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CborMap, CborTag, decodeCbor, encodeCbor, type CborValue } from '@cairn/core';
import { loadSuitExamples } from '@cairn/testkit';
import { hex } from './plain.js';

/** Every byte string inside `v` that itself holds exactly one valid CBOR item, recursively. */
function nestedItems(v: CborValue, out: Uint8Array[] = []): Uint8Array[] {
  if (v instanceof Uint8Array) {
    try {
      const inner = decodeCbor(v);
      if (inner instanceof CborMap || Array.isArray(inner) || inner instanceof CborTag) {
        out.push(v);
        nestedItems(inner, out);
      }
    } catch {
      // plain bytes (digests, signatures, ids), not an embedded item
    }
  } else if (Array.isArray(v)) {
    for (const x of v) nestedItems(x, out);
  } else if (v instanceof CborMap) {
    for (const [k, x] of v) {
      nestedItems(k, out);
      nestedItems(x, out);
    }
  } else if (v instanceof CborTag) nestedItems(v.value, out);
  return out;
}

test('each SUIT envelope and every embedded item re-encodes byte-identically', () => {
  const examples = loadSuitExamples();
  assert.equal(examples.length, 6);
  for (const { name, envelope } of examples) {
    const value = decodeCbor(envelope);
    assert.equal(hex(encodeCbor(value)), hex(envelope), name);
    const inner = nestedItems(value);
    // at least: auth wrapper, digest, one COSE_Sign1, its protected header, the manifest
    assert.ok(inner.length >= 5, `${name}: ${inner.length} embedded items`);
    for (const item of inner) {
      assert.equal(hex(encodeCbor(decodeCbor(item))), hex(item), `${name}: embedded item`);
    }
  }
});

test('canonical encoding sorts map keys by their encoded bytes, at every depth', () => {
  const m = new CborMap([
    ['b', 1],
    [10, 2],
    [-1, 3],
    ['aa', 4],
    [
      100,
      new CborMap([
        [2, 0],
        [1, 0],
      ]),
    ],
    [Uint8Array.of(1), 5],
  ] as [CborValue, CborValue][]);
  // RFC 8949 §4.2.1: 0a, 1864, 20, 41 01, 61 62, 62 61 61
  assert.equal(
    hex(encodeCbor(m, { canonical: true })),
    'a6' + '0a02' + '1864a201000200' + '2003' + '410105' + '616201' + '62616104',
  );
  // without canonical, insertion order is kept
  assert.equal(hex(encodeCbor(m)).slice(0, 8), 'a6616201');
  // canonical form of a SUIT manifest equals its own canonical re-encoding (idempotent)
  for (const { envelope } of loadSuitExamples()) {
    const once = encodeCbor(decodeCbor(envelope), { canonical: true });
    assert.equal(hex(encodeCbor(decodeCbor(once), { canonical: true })), hex(once));
  }
});
