import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from '@cairn/db';
import { noteVerifierFromKey } from '@cairn/core';
import { verifyAuditLog } from '@cairn/ledger';
import { LedgerAuditTrail, loadOrCreateAuditKey } from '@cairn/server';
import { forEachDatabase } from '@cairn/testkit';

forEachDatabase(
  'server audit trail: hash-chained ledger records that verify and expose tampering',
  async (db, t) => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-server-audit-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const keyPath = join(dir, 'audit-checkpoint.key');
    const signer = await loadOrCreateAuditKey(keyPath, 'cairn-server-audit');
    assert.equal((await stat(keyPath)).mode & 0o777, 0o600);
    const again = await loadOrCreateAuditKey(keyPath, 'cairn-server-audit');
    assert.equal(again.keyId, signer.keyId, 'the key file is reused');
    const verifier = noteVerifierFromKey((await readFile(`${keyPath}.pub`, 'utf8')).trim());

    const trail = await LedgerAuditTrail.open({ db, signer, checkpointIntervalMs: 0 });
    await trail.record({
      actor: 'admin',
      event: 'product.create',
      subject: 'product:1',
      outcome: 'accepted',
    });
    await trail.record({
      actor: 'ci',
      event: 'release.upload',
      subject: 'product:1',
      outcome: 'refused',
      code: 'RELEASE_SEQUENCE_NOT_NEWER',
      clientAddress: '127.0.0.1',
    });
    await trail.record({
      actor: 'device:dev-1',
      event: 'action.feedback',
      subject: 'action:7',
      outcome: 'accepted',
      details: { result: 'success' },
    });
    const listed = await trail.list(10);
    assert.deepEqual(
      listed.map((r) => r.event),
      ['action.feedback', 'release.upload', 'product.create'],
    );
    assert.equal(listed[1]!.outcome, 'refused');
    assert.equal(listed[1]!.code, 'RELEASE_SEQUENCE_NOT_NEWER');
    assert.equal(listed[0]!.subject, 'action:7');
    assert.deepEqual(listed[0]!.details, { result: 'success' });

    const exported = await trail.ledger.audit.exportCheckpoint();
    const ok = await verifyAuditLog({ db, checkpoints: [exported], verifier });
    assert.equal(ok.size, 3);
    await trail.close();

    // edit a stored record behind the ledger's back: verification names it
    await sql`update ledger_audit set actor = ${'mallory'} where seq = 1`.execute(db.typed());
    await assert.rejects(
      verifyAuditLog({ db, checkpoints: [exported], verifier }),
      (e: unknown) => {
        assert.ok(e instanceof Error && 'seq' in e, String(e));
        assert.equal(e.seq, 1);
        return true;
      },
    );
  },
);
