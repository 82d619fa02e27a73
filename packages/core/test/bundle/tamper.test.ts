import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUNDLE_DEFAULT_MAX_HEADER_BYTES, verifyBundle } from '@cairn/core';
import type { BundleManifest } from '@cairn/core';
import { assertRejectsCode } from '@cairn/testkit';
import { chunked, random } from '../stream/helpers.js';
import { DUMMY_PROOF, makeBundle } from './helpers.js';

const PAYLOADS = [
  { componentIndex: 0, bytes: random(9) },
  { componentIndex: 1, bytes: new Uint8Array(0) },
  { componentIndex: 2, bytes: random(5) },
];

/** The code a single changed byte at `offset` must produce. */
function expectedCode(
  bundle: Uint8Array,
  changed: Uint8Array,
  offset: number,
  headLength: number,
): string {
  if (offset < 8) return 'BUNDLE_BAD_MAGIC';
  if (offset < 10) return 'BUNDLE_UNSUPPORTED_VERSION';
  if (offset < 12) return 'BUNDLE_UNSUPPORTED_FLAGS';
  if (offset < 16) {
    const h = Buffer.from(changed).readUInt32BE(12);
    if (h > BUNDLE_DEFAULT_MAX_HEADER_BYTES) return 'BUNDLE_HEADER_TOO_LARGE';
    if (16 + h + 32 > bundle.length) return 'BUNDLE_TRUNCATED';
    return 'BUNDLE_HEADER_CORRUPT';
  }
  if (offset < headLength) return 'BUNDLE_HEADER_CORRUPT';
  return 'PAYLOAD_DIGEST_MISMATCH';
}

describe('every single changed byte of a bundle is rejected with the right code', () => {
  const verify = (bytes: Uint8Array, manifest: BundleManifest) =>
    verifyBundle(chunked(bytes, [3, 17]), { verifyEnvelope: () => manifest });

  for (const mask of [0x01, 0x80, 0xff]) {
    test(`xor 0x${mask.toString(16).padStart(2, '0')} at every offset`, async () => {
      const { bytes, manifest, headLength } = await makeBundle(PAYLOADS, {
        proof: DUMMY_PROOF,
        metadata: { v: '1' },
      });
      await verify(bytes, manifest);
      for (let i = 0; i < bytes.length; i++) {
        const changed = Uint8Array.from(bytes);
        changed[i]! ^= mask;
        await assertRejectsCode(
          () => verify(changed, manifest),
          expectedCode(bytes, changed, i, headLength),
          `offset ${i}`,
        );
      }
    });
  }

  test('an appended byte is BUNDLE_TRAILING_DATA', async () => {
    const { bytes, manifest } = await makeBundle(PAYLOADS);
    for (const extra of [0x00, 0xff]) {
      await assertRejectsCode(
        () => verify(Uint8Array.from([...bytes, extra]), manifest),
        'BUNDLE_TRAILING_DATA',
      );
    }
  });

  test('truncation at every offset is BUNDLE_TRUNCATED', async () => {
    const { bytes, manifest } = await makeBundle(PAYLOADS, { proof: DUMMY_PROOF });
    for (let n = 0; n < bytes.length; n++) {
      await assertRejectsCode(
        () => verify(bytes.subarray(0, n), manifest),
        'BUNDLE_TRUNCATED',
        `length ${n}`,
      );
    }
  });

  test('the checked steps report where they failed', async () => {
    const { bytes, manifest, headLength } = await makeBundle(PAYLOADS);
    const atHeader = Uint8Array.from(bytes);
    atHeader[20]! ^= 1;
    const e1 = await assertRejectsCode(() => verify(atHeader, manifest), 'BUNDLE_HEADER_CORRUPT');
    assert.equal(e1.details?.step, 2);
    const atPayload = Uint8Array.from(bytes);
    atPayload[headLength]! ^= 1;
    await assertRejectsCode(() => verify(atPayload, manifest), 'PAYLOAD_DIGEST_MISMATCH');
  });
});
