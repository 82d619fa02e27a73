import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { verifyBundle } from '@cairn/core';
import { assertRejectsCode } from '@cairn/testkit';
import { chunked, collect, random } from '../stream/helpers.js';
import { refreshChecksum } from './helpers.js';
import { signedBundle, suitVerifier } from './suit-fixture.js';

describe('bundles with a real signed SUIT envelope', () => {
  for (const alg of ['ES256', 'EdDSA'] as const) {
    test(`${alg}: sign → bundle → verify, payloads delivered intact`, async () => {
      const f = await signedBundle([random(3000), random(1)], { alg });
      const slots: Uint8Array[] = [];
      const v = await verifyBundle(chunked(f.bundle, [512]), {
        verifyEnvelope: suitVerifier(f.publicKey),
        onPayload: async (p) => {
          slots[p.componentIndex] = await collect(p.stream);
        },
      });
      assert.deepEqual(slots, f.payloads);
      assert.equal(v.manifest.sequenceNumber, 7);
      assert.deepEqual(v.envelope, f.envelope);
    });
  }

  test('a bundle signed with another key is BUNDLE_ENVELOPE_INVALID (SUIT code kept)', async () => {
    const f = await signedBundle([random(100)], { alg: 'ES256' });
    const other = await signedBundle([random(100)], { alg: 'ES256' });
    const err = await assertRejectsCode(
      () =>
        verifyBundle(chunked(f.bundle, [512]), { verifyEnvelope: suitVerifier(other.publicKey) }),
      'BUNDLE_ENVELOPE_INVALID',
    );
    assert.equal(err.details?.causeCode, 'SUIT_SIGNATURE_INVALID');
  });

  test('an attacker who fixes the checksum still cannot change one header byte unnoticed', async () => {
    const f = await signedBundle([random(40), random(3)], { alg: 'EdDSA' });
    const headerLength = Buffer.from(f.bundle).readUInt32BE(12);
    const allowed = new Set([
      'BUNDLE_HEADER_INVALID',
      'BUNDLE_ENVELOPE_INVALID',
      'BUNDLE_PAYLOAD_MISMATCH',
      'BUNDLE_TRUNCATED',
      'BUNDLE_TRAILING_DATA',
    ]);
    const seen = new Set<string>();
    for (let i = 16; i < 16 + headerLength; i++) {
      const changed = Uint8Array.from(f.bundle);
      changed[i]! ^= 0x01;
      refreshChecksum(changed);
      let code = 'ACCEPTED';
      try {
        await verifyBundle(chunked(changed, [256]), { verifyEnvelope: suitVerifier(f.publicKey) });
      } catch (err) {
        code = err instanceof Error && 'code' in err ? String(err.code) : String(err);
      }
      assert.ok(allowed.has(code), `offset ${i}: ${code}`);
      seen.add(code);
    }
    assert.ok(
      seen.has('BUNDLE_ENVELOPE_INVALID') &&
        seen.has('BUNDLE_PAYLOAD_MISMATCH') &&
        seen.has('BUNDLE_HEADER_INVALID'),
    );
  });

  test('a payload swapped for another one of the same size is PAYLOAD_DIGEST_MISMATCH', async () => {
    const f = await signedBundle([random(64)], { alg: 'ES256' });
    const swapped = Uint8Array.from(f.bundle);
    swapped.set(random(64), swapped.length - 64);
    await assertRejectsCode(
      () => verifyBundle(chunked(swapped, [100]), { verifyEnvelope: suitVerifier(f.publicKey) }),
      'PAYLOAD_DIGEST_MISMATCH',
    );
  });
});
