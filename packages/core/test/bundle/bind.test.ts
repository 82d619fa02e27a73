import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bindPayloads, verifyBundle } from '@cairn/core';
import { assertRejectsCode, assertThrowsCode } from '@cairn/testkit';
import { fromChunks, random, sha256 } from '../stream/helpers.js';
import { makeBundle, manifestFor } from './helpers.js';

const a = random(10);
const b = random(20);
const table = [
  { componentIndex: 0, size: 10 },
  { componentIndex: 1, size: 20 },
];

describe('bindPayloads', () => {
  test('pairs each payload with its manifest digest', () => {
    const bound = bindPayloads(table, {
      components: [
        { index: 1, digest: sha256(b), size: 20n },
        { index: 0, digest: sha256(a), size: 10 },
      ],
    });
    assert.deepEqual(bound, [
      { componentIndex: 0, size: 10, digest: sha256(a) },
      { componentIndex: 1, size: 20, digest: sha256(b) },
    ]);
  });

  test('refuses an extra payload, a missing one and a size mismatch, all listed', () => {
    const err = assertThrowsCode(
      () =>
        bindPayloads([...table, { componentIndex: 5, size: 1 }], {
          components: [
            { index: 0, digest: sha256(a), size: 11 },
            { index: 1, digest: sha256(b), size: 20 },
            { index: 2, digest: sha256(b), size: 20 },
          ],
        }),
      'BUNDLE_PAYLOAD_MISMATCH',
    );
    assert.deepEqual(err.details?.problems, [
      'component 0: payload is 10 bytes, the manifest says 11',
      'payload for component 5, which the manifest does not carry',
      'no payload for component 2',
    ]);
    assert.equal(err.details.step, 6);
  });

  test('refuses a manifest that lists a component twice', () => {
    assertThrowsCode(
      () =>
        bindPayloads(table, {
          components: [
            { index: 0, digest: sha256(a), size: 10 },
            { index: 0, digest: sha256(a), size: 10 },
            { index: 1, digest: sha256(b), size: 20 },
          ],
        }),
      'BUNDLE_PAYLOAD_MISMATCH',
    );
  });

  test('verifyBundle refuses a table that disagrees with the manifest before reading payloads', async () => {
    const payloads = [
      { componentIndex: 0, bytes: a },
      { componentIndex: 1, bytes: b },
    ];
    const { bytes, headLength } = await makeBundle(payloads);
    let pulled = 0;
    async function* src(): AsyncGenerator<Uint8Array> {
      for await (const c of fromChunks([
        bytes.subarray(0, headLength),
        bytes.subarray(headLength),
      ])) {
        pulled += c.length;
        yield c;
      }
    }
    await assertRejectsCode(
      () => verifyBundle(src(), { verifyEnvelope: () => manifestFor(payloads.slice(0, 1)) }),
      'BUNDLE_PAYLOAD_MISMATCH',
    );
    assert.equal(pulled, headLength);
  });
});
