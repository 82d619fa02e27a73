import assert from 'node:assert/strict';
import { sql } from '@cairn/db';
import type { Database } from '@cairn/db';
import { AuditVerifyError, verifyAuditLog } from '@cairn/ledger';
import type { AuditVerifyErrorCode } from '@cairn/ledger';
import { forEachDatabase } from '@cairn/testkit';
import { openLedger, sampleRecord, testKeys } from '../helpers.js';
import type { TestKeys } from '../helpers.js';

const N = 12;

/** A ledger with N records and an exported audit checkpoint of all of them. */
async function seeded(db: Database): Promise<{ keys: TestKeys; exported: string }> {
  const keys = testKeys();
  const ledger = await openLedger(db, keys);
  await Promise.all(Array.from({ length: N }, (_, i) => ledger.audit.append(sampleRecord(i))));
  const exported = await ledger.audit.exportCheckpoint();
  await ledger.close();
  const ok = await verifyAuditLog({ db, checkpoints: [exported], verifier: keys.auditVerifier });
  assert.equal(ok.size, N);
  return { keys, exported };
}

async function expectBad(
  db: Database,
  keys: TestKeys,
  exported: string,
  code: AuditVerifyErrorCode,
  seq: number,
): Promise<void> {
  await assert.rejects(
    () => verifyAuditLog({ db, checkpoints: [exported], verifier: keys.auditVerifier }),
    (err: unknown) => {
      assert.ok(err instanceof AuditVerifyError, String(err));
      assert.equal(err.code, code, err.message);
      assert.equal(err.seq, seq, err.message);
      assert.match(err.message, new RegExp(`record ${seq}\\b`));
      return true;
    },
  );
}

forEachDatabase('audit tamper: an edited field is named', async (db) => {
  const { keys, exported } = await seeded(db);
  await sql`UPDATE ledger_audit SET decision = 'allowed', reason = NULL WHERE seq = 0`.execute(
    db.typed(),
  );
  await expectBad(db, keys, exported, 'RECORD_EDITED', 0);
});

forEachDatabase('audit tamper: an edited middle record (details JSON) is named', async (db) => {
  const { keys, exported } = await seeded(db);
  await sql`UPDATE ledger_audit SET details = '{"n":999}' WHERE seq = 5`.execute(db.typed());
  await expectBad(db, keys, exported, 'RECORD_EDITED', 5);
});

forEachDatabase('audit tamper: a deleted record is named (gap, and renumbered)', async (db) => {
  const { keys, exported } = await seeded(db);
  await sql`DELETE FROM ledger_audit WHERE seq = 4`.execute(db.typed());
  await expectBad(db, keys, exported, 'RECORD_MISSING', 4);
  // Hide the gap by renumbering the records after it.
  for (let s = 5; s < N; s++) {
    await sql`UPDATE ledger_audit SET seq = ${s - 1} WHERE seq = ${s}`.execute(db.typed());
  }
  await expectBad(db, keys, exported, 'RECORD_MISSING', 4);
});

forEachDatabase(
  'audit tamper: reordered records are named (distant and adjacent swaps)',
  async (db) => {
    const { keys, exported } = await seeded(db);
    const swap = async (a: number, b: number): Promise<void> => {
      await sql`UPDATE ledger_audit SET seq = -1 WHERE seq = ${a}`.execute(db.typed());
      await sql`UPDATE ledger_audit SET seq = ${a} WHERE seq = ${b}`.execute(db.typed());
      await sql`UPDATE ledger_audit SET seq = ${b} WHERE seq = -1`.execute(db.typed());
    };
    await swap(3, 8);
    await expectBad(db, keys, exported, 'RECORD_REORDERED', 3);
    await swap(3, 8);
    await swap(6, 7);
    await expectBad(db, keys, exported, 'RECORD_REORDERED', 6);
  },
);

forEachDatabase('audit tamper: an inserted record is named', async (db) => {
  const { keys, exported } = await seeded(db);
  // Make room at seq 2 and copy a record into it (with a forged, well-formed hash).
  for (let s = N - 1; s >= 2; s--) {
    await sql`UPDATE ledger_audit SET seq = ${s + 1} WHERE seq = ${s}`.execute(db.typed());
  }
  await sql`INSERT INTO ledger_audit (seq, time, actor, auth_method, client_address, action, worker, key_label, request_digest, response_digest, decision, reason, details, hash)
    SELECT 2, time, 'mallory', auth_method, client_address, action, worker, key_label, request_digest, response_digest, decision, reason, details, hash
    FROM ledger_audit WHERE seq = 1`.execute(db.typed());
  await sql`UPDATE ledger_logs SET size = size + 1 WHERE name = 'audit'`.execute(db.typed());
  await expectBad(db, keys, exported, 'RECORD_INSERTED', 2);
});

forEachDatabase('audit tamper: truncation is caught by an exported checkpoint', async (db) => {
  const { keys, exported } = await seeded(db);
  await sql`DELETE FROM ledger_audit WHERE seq >= 9`.execute(db.typed());
  // The attacker also rewinds the stored state and removes stored checkpoints.
  const head = await sql<{ hash: Uint8Array }>`SELECT hash FROM ledger_audit WHERE seq = 8`.execute(
    db.typed(),
  );
  await sql`UPDATE ledger_logs SET size = 9, head = ${head.rows[0]!.hash} WHERE name = 'audit'`.execute(
    db.typed(),
  );
  await sql`DELETE FROM ledger_checkpoints WHERE log = 'audit'`.execute(db.typed());
  // Without the exported checkpoint the shorter log looks whole...
  assert.equal((await verifyAuditLog({ db, verifier: keys.auditVerifier })).size, 9);
  // ...with it, the truncation is named.
  await expectBad(db, keys, exported, 'LOG_TRUNCATED', 9);
});

forEachDatabase('audit tamper: a forged or foreign checkpoint is refused', async (db) => {
  const { keys, exported } = await seeded(db);
  const forged = exported.replace(`\n${N}\n`, `\n${N + 5}\n`);
  await assert.rejects(
    () => verifyAuditLog({ db, checkpoints: [forged], verifier: keys.auditVerifier }),
    { code: 'CHECKPOINT_INVALID' },
  );
  const other = testKeys();
  await assert.rejects(
    () => verifyAuditLog({ db, checkpoints: [exported], verifier: other.auditVerifier }),
    { code: 'CHECKPOINT_INVALID' },
  );
});
