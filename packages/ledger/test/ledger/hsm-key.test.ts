import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ed25519NoteVerifier,
  noteSignerFromSigner,
  openCheckpoint,
  verifyTlogProof,
} from '@cairn/core';
import { openKeyStore } from '@cairn/keys';
import { Ledger, verifyAuditLog } from '@cairn/ledger';
import { createSoftHsmToken, requireTools, withTestDatabase } from '@cairn/testkit';
import { AUDIT_ORIGIN, TLOG_ORIGIN, entry, sampleRecord } from '../helpers.js';

test('ledger: checkpoints signed by Ed25519 keys in a PKCS#11 token (SoftHSM2)', async (t) => {
  if (!requireTools(t, ['softhsm2-util', 'pkcs11-tool'])) return;
  const token = createSoftHsmToken({ label: 'ledger' });
  try {
    const store = await openKeyStore({
      backend: 'pkcs11',
      module: token.module,
      tokenLabel: token.tokenLabel,
      pin: token.pin,
    });
    try {
      const tInfo = await store.generate('tlog-key', 'ed25519');
      const aInfo = await store.generate('audit-key', 'ed25519');
      const raw = (spki: Uint8Array): Uint8Array => spki.subarray(spki.length - 32);
      await withTestDatabase('sqlite', t, async (db) => {
        const ledger = await Ledger.open({
          db,
          transparency: {
            signer: noteSignerFromSigner(TLOG_ORIGIN, await store.signer('tlog-key')),
          },
          audit: { signer: noteSignerFromSigner(AUDIT_ORIGIN, await store.signer('audit-key')) },
          checkpointIntervalMs: 0,
        });
        const r = await ledger.record({ audit: sampleRecord(1), logEntry: entry(1) });
        const tVerifier = ed25519NoteVerifier(TLOG_ORIGIN, raw(tInfo.publicKey));
        const aVerifier = ed25519NoteVerifier(AUDIT_ORIGIN, raw(aInfo.publicKey));
        const proof = await ledger.transparency.tlogProof(r.entry!.index);
        assert.equal(verifyTlogProof(proof, { data: entry(1) }, tVerifier).checkpoint.size, 1);
        const note = await ledger.audit.exportCheckpoint();
        assert.equal(openCheckpoint(note, aVerifier).checkpoint.size, 1);
        assert.equal(
          (await verifyAuditLog({ db, checkpoints: [note], verifier: aVerifier })).size,
          1,
        );
        await ledger.close();
      });
    } finally {
      await store.close();
    }
  } finally {
    token.cleanup();
  }
});
