import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { openKeyStore } from '@cairn/keys';
import { verifyWithNode } from '../contract/verify.js';

test('software signDigest (own ECDSA/PSS code) verifies with node:crypto for any message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-prehash-'));
  const store = await openKeyStore({
    backend: 'software',
    dir,
    passphrase: 'p',
    warn: () => undefined,
  });
  try {
    const p256 = await store.generate('p256', 'ecdsa-p256');
    const p384 = await store.generate('p384', 'ecdsa-p384');
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (msg) => {
        const d256 = createHash('sha256').update(msg).digest();
        const d384 = createHash('sha384').update(msg).digest();
        assert.ok(
          verifyWithNode(
            'ES256',
            p256.publicKey,
            msg,
            await store.signDigest('p256', 'ES256', d256),
          ),
        );
        assert.ok(
          verifyWithNode(
            'ES384',
            p384.publicKey,
            msg,
            await store.signDigest('p384', 'ES384', d384),
          ),
        );
      }),
      { numRuns: 40 },
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
