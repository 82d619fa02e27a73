import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { test } from 'node:test';
import { readFirmwareManifest, verifyEnvelope } from '@cairn/core';
import { openKeyStore } from '@cairn/keys';
import { createSoftHsmToken, requireTools, withTestDatabase } from '@cairn/testkit';
import { createWorker, harness, release } from '../helpers/stack.js';

test('sign with a SoftHSM2 key (PKCS#11): envelope and raw digest verify with the HSM public key', async (t) => {
  if (!requireTools(t, ['softhsm2-util', 'pkcs11-tool'])) return;
  const token = createSoftHsmToken({ label: 'cairn-signer-test' });
  const keys = await openKeyStore({
    backend: 'pkcs11',
    module: token.module,
    tokenLabel: token.tokenLabel,
    pin: token.pin,
  });
  try {
    await withTestDatabase('sqlite', t, async (db) => {
      const h = await harness(db, { keys });
      try {
        await createWorker(h, 'hsm');
        await createWorker(h, 'hsm-digest', {}, ['raw-digest']);
        const ci = await h.token([
          { role: 'signer', worker: 'hsm' },
          { role: 'signer', worker: 'hsm-digest' },
        ]);
        const res = await h.call('POST', '/api/v1/workers/hsm/sign', ci, release(1));
        assert.equal(res.status, 200, res.text);
        const info = await keys.get('hsm-key');
        assert.equal(info.backend, 'pkcs11');
        const key = createPublicKey({
          key: Buffer.from(info.publicKey),
          format: 'der',
          type: 'spki',
        });
        const v = verifyEnvelope(Buffer.from(res.json['envelope'] as string, 'base64'), {
          keys: [key],
        });
        assert.equal(readFirmwareManifest(v.manifest).sequenceNumber, 1n);

        const message = Buffer.from('an image in another format');
        const digest = createHash('sha256').update(message).digest('hex');
        const raw = await h.call('POST', '/api/v1/workers/hsm-digest/sign-digest', ci, { digest });
        assert.equal(raw.status, 200, raw.text);
        // ECDSA over the precomputed SHA-256 digest = an ES256 signature over the message
        const sig = Buffer.from(raw.json['signature'] as string, 'base64');
        assert.equal(sig.length, 64);
        const digestInfo = await keys.get('hsm-digest-key');
        assert.equal(digestInfo.backend, 'pkcs11');
        const digestKey = createPublicKey({
          key: Buffer.from(digestInfo.publicKey),
          format: 'der',
          type: 'spki',
        });
        const p1363 = { key: digestKey, dsaEncoding: 'ieee-p1363' } as const;
        assert.ok(verify('sha256', message, p1363, sig));
        assert.ok(!verify('sha256', Buffer.from('another message'), p1363, sig));
        // the firmware key never signed the raw digest: the two workers hold separate keys
        assert.ok(!verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, sig));
      } finally {
        await h.close();
      }
    });
  } finally {
    await keys.close();
    token.cleanup();
  }
});
