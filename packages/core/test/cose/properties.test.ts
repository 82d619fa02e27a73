// Property tests: any single-byte mutation of a signed COSE_Sign1 (whose unprotected
// bucket is empty, so every byte is covered by the signature or the structure) never
// verifies, and always fails with a CoseError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CoseError, signCoseSign1, softwareSigner, verifyCoseSign1 } from '@cairn/core';
import { KEY_FOR, testKeys } from './keys.js';

for (const alg of ['ES256', 'ES384', 'EdDSA'] as const) {
  test(`${alg}: random single-byte mutations of a signed COSE_Sign1 never verify`, async () => {
    const { privateKey, publicKey } = testKeys()[KEY_FOR[alg]];
    const signer = softwareSigner(privateKey, alg);
    const cases = await Promise.all(
      [true, false].map(async (detached) => {
        const payload = new TextEncoder().encode(`payload for ${alg}`);
        const cose = await signCoseSign1({
          payload,
          signer,
          detached,
          x5chain: [Uint8Array.of(0x30, 0x03, 1, 2, 3), Uint8Array.of(0x30, 0)],
        });
        verifyCoseSign1({
          cose,
          key: publicKey,
          ...(detached ? { detachedPayload: payload } : {}),
        });
        return { cose, payload, detached };
      }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...cases),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        ({ cose, payload, detached }, pos, delta) => {
          const bad = cose.slice();
          const i = pos % bad.length;
          bad[i] = (bad[i]! + delta) & 0xff;
          assert.throws(
            () =>
              verifyCoseSign1({
                cose: bad,
                key: publicKey,
                ...(detached ? { detachedPayload: payload } : {}),
              }),
            (err: unknown) => err instanceof CoseError,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
}

test('random bytes never decode as a verifying message and only ever raise a CoseError', () => {
  const { publicKey } = testKeys().p256;
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      assert.throws(
        () => verifyCoseSign1({ cose: bytes, detachedPayload: bytes, key: publicKey }),
        (err: unknown) => err instanceof CoseError,
      );
    }),
    { numRuns: 500 },
  );
});
