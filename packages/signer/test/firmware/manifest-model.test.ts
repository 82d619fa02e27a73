// The signer builds every manifest with buildFirmwareManifest, which assembles the
// manifest model from the pieces it encoded instead of decoding its own bytes again.
// These tests hold that shortcut to the decoder: same model, same errors for bad input.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  buildFirmwareManifest,
  decodeEnvelope,
  readFirmwareManifest,
  signEnvelope,
  softwareSigner,
} from '@cairn/core';
import type { FirmwareManifestInput } from '@cairn/core';
import { assertThrowsCode } from '@cairn/testkit';

const signer = softwareSigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const text = fc.string({ minLength: 1, maxLength: 24, unit: 'grapheme' });
const input: fc.Arbitrary<FirmwareManifestInput> = fc.record(
  {
    sequenceNumber: fc.oneof(
      fc.nat(),
      fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }),
      fc.constant(Number.MAX_SAFE_INTEGER),
    ),
    vendorId: bytes(16),
    classId: bytes(16),
    components: fc.array(
      fc.record(
        {
          id: fc.array(fc.oneof(text, fc.uint8Array({ minLength: 1, maxLength: 8 })), {
            minLength: 1,
            maxLength: 3,
          }),
          sha256: bytes(32),
          size: fc.nat(),
          version: text,
        },
        { requiredKeys: ['id', 'sha256', 'size'] },
      ),
      { minLength: 1, maxLength: 16 },
    ),
    version: text,
    description: text,
  },
  { requiredKeys: ['sequenceNumber', 'vendorId', 'classId', 'components'] },
);

test('buildFirmwareManifest: the assembled model equals what decoding the signed envelope gives', async () => {
  await fc.assert(
    fc.asyncProperty(input, async (inp) => {
      const built = buildFirmwareManifest(inp);
      const envelope = await signEnvelope({ manifest: built, signer });
      const decoded = decodeEnvelope(envelope).manifest;
      assert.deepEqual(built.manifest, decoded);
      assert.deepEqual(readFirmwareManifest(built.manifest), readFirmwareManifest(decoded));
      assert.equal(readFirmwareManifest(decoded).sequenceNumber, BigInt(inp.sequenceNumber));
    }),
    { numRuns: 150 },
  );
});

test('buildFirmwareManifest: sequence numbers outside 0..2^64-1 and oversized ids are refused', () => {
  const base: FirmwareManifestInput = {
    sequenceNumber: 1,
    vendorId: new Uint8Array(16),
    classId: new Uint8Array(16),
    components: [{ id: ['rootfs'], sha256: new Uint8Array(32), size: 1 }],
  };
  for (const sequenceNumber of [-1, 1.5, Number.NaN, -1n, 2n ** 64n]) {
    const err = assertThrowsCode(
      () => buildFirmwareManifest({ ...base, sequenceNumber }),
      'FIRMWARE_INPUT_INVALID',
    );
    assert.match(err.message, /sequenceNumber must be an integer in 0\.\.2\^64-1/);
  }
  const parts = Array.from({ length: 17 }, (_, i) => `p${i}`);
  const err = assertThrowsCode(
    () =>
      buildFirmwareManifest({
        ...base,
        components: [{ id: parts, sha256: new Uint8Array(32), size: 1 }],
      }),
    'FIRMWARE_INPUT_INVALID',
  );
  assert.match(err.message, /components\[0\]\.id must have 1\.\.16 parts/);
  // two components with one id (the text member would hold a duplicate key)
  const dup = assertThrowsCode(
    () =>
      buildFirmwareManifest({
        ...base,
        components: [
          { id: ['rootfs'], sha256: new Uint8Array(32), size: 1 },
          { id: [new TextEncoder().encode('rootfs')], sha256: new Uint8Array(32), size: 2 },
        ],
      }),
    'FIRMWARE_INPUT_INVALID',
  );
  assert.match(dup.message, /components\[1\]\.id repeats components\[0\]\.id/);
  // text that UTF-8 cannot carry as given
  const lone = assertThrowsCode(
    () => buildFirmwareManifest({ ...base, version: '1.0\ud800', description: 'x\udc00' }),
    'FIRMWARE_INPUT_INVALID',
  );
  assert.match(lone.message, /version must be well-formed Unicode; description must be/);
});
