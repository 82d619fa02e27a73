import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { verifyAuditLog, verifyTransparencyLog } from '@cairn/ledger';
import { forEachDatabase } from '@cairn/testkit';
import { entry, openLedger, sampleRecord, testKeys } from '../helpers.js';

// Verifying a log that a running service keeps appending to (with a checkpoint per batch)
// must not report tampering: both verifiers read one snapshot.
forEachDatabase(
  'verify while another connection appends records, entries and checkpoints: no false alarm',
  async (db, t, config) => {
    const keys = testKeys();
    const ledger = await openLedger(db, keys);
    // more than one page (2,000 rows) of each log, so the verifiers read several times
    for (let b = 0; b < 5; b++) {
      await Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          ledger.record({ audit: sampleRecord(b * 500 + i), logEntry: entry(b * 500 + i) }),
        ),
      );
    }
    await ledger.transparency.checkpoint();
    await ledger.close();

    // the service: another process appending with a checkpoint per batch
    const child = spawn(
      process.execPath,
      [
        fileURLToPath(new URL('./live-writer.child.js', import.meta.url)),
        JSON.stringify({ config, tlogSigner: keys.tlogSigner, auditSigner: keys.auditSigner }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let appended = 0;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      const last = d.trim().split('\n').at(-1);
      if (last) appended = Number(last);
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const deadline = Date.now() + 30_000;
      while (appended < 40) {
        assert.ok(Date.now() < deadline, 'the writer process did not start appending');
        await new Promise((r) => setTimeout(r, 10));
      }
      for (let round = 0; round < 3; round++) {
        const before = appended;
        const tlog = await verifyTransparencyLog({ db, verifier: keys.tlogVerifier });
        const audit = await verifyAuditLog({ db, verifier: keys.auditVerifier });
        assert.ok(tlog.size >= 2540 && audit.size >= 2540, `sizes ${tlog.size} ${audit.size}`);
        assert.ok(tlog.checkpointsChecked >= 2);
        t.diagnostic(
          `${db.dialect} round ${round}: verified ${tlog.size} leaves and ${audit.size} records while the writer went ${before} -> ${appended}`,
        );
      }
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, 'the writer process stopped cleanly');
    assert.ok(appended > 40, 'the writer kept appending during verification');
    // and the final state verifies too
    const end = await verifyTransparencyLog({ db, verifier: keys.tlogVerifier });
    assert.equal(end.size, 2500 + appended);
  },
);
