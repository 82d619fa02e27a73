import assert from 'node:assert/strict';
import { openDatabase, sql } from '@cairn/db';
import type { Database } from '@cairn/db';
import { verifyAuditLog, verifyTransparencyLog } from '@cairn/ledger';
import { forEachDatabase } from '@cairn/testkit';
import { entry, openLedger, sampleRecord, testKeys } from '../helpers.js';

async function assertGapFree(db: Database, n: number): Promise<void> {
  const seqs = await sql<{ seq: unknown }>`SELECT seq FROM ledger_audit ORDER BY seq`.execute(
    db.typed(),
  );
  assert.deepEqual(
    seqs.rows.map((r) => Number(r.seq)),
    Array.from({ length: n }, (_, i) => i),
  );
  const idx = await sql<{ idx: unknown }>`SELECT idx FROM ledger_tlog_leaves ORDER BY idx`.execute(
    db.typed(),
  );
  assert.deepEqual(
    idx.rows.map((r) => Number(r.idx)),
    Array.from({ length: n }, (_, i) => i),
  );
}

forEachDatabase('ledger: 500 concurrent record() calls commit gap-free in batches', async (db) => {
  const keys = testKeys();
  const ledger = await openLedger(db, keys);
  const results = await Promise.all(
    Array.from({ length: 500 }, (_, i) =>
      ledger.record({ audit: sampleRecord(i), logEntry: entry(i) }),
    ),
  );
  assert.deepEqual(
    results.map((r) => r.audit.seq).sort((a, b) => a - b),
    Array.from({ length: 500 }, (_, i) => i),
  );
  assert.ok(results.every((r) => r.entry !== undefined && !r.entry.existing));
  const stats = ledger.stats();
  assert.equal(stats.operations, 500);
  assert.ok(stats.batches < 100, `expected group commit, got ${stats.batches} batches`);
  await assertGapFree(db, 500);
  await ledger.transparency.checkpoint();
  await ledger.audit.checkpoint();
  const t = await verifyTransparencyLog({ db, verifier: keys.tlogVerifier });
  assert.equal(t.size, 500);
  assert.deepEqual(t.root, await ledger.transparency.root());
  const a = await verifyAuditLog({ db, verifier: keys.auditVerifier });
  assert.equal(a.size, 500);
  assert.equal(a.checkpointsChecked, 1);
  await ledger.close();
});

forEachDatabase(
  'ledger: two instances on one database append concurrently, gap-free',
  async (db, _t, config) => {
    const keys = testKeys();
    const first = await openLedger(db, keys);
    const db2 = await openDatabase(config);
    try {
      const second = await openLedger(db2, keys);
      const work = (l: typeof first, base: number) =>
        Promise.all(
          Array.from({ length: 150 }, async (_, i) => {
            await new Promise((r) => setTimeout(r, i % 7));
            return l.record({ audit: sampleRecord(base + i), logEntry: entry(base + i) });
          }),
        );
      const [a, b] = await Promise.all([work(first, 0), work(second, 1000)]);
      const seqs = [...a, ...b].map((r) => r.audit.seq).sort((x, y) => x - y);
      assert.deepEqual(
        seqs,
        Array.from({ length: 300 }, (_, i) => i),
      );
      // Each audit record's log entry is the one of its own op.
      const idx = [...a, ...b].map((r) => r.entry!.index).sort((x, y) => x - y);
      assert.deepEqual(
        idx,
        Array.from({ length: 300 }, (_, i) => i),
      );
      await assertGapFree(db, 300);
      await second.close();
      assert.equal((await verifyTransparencyLog({ db })).size, 300);
      assert.equal((await verifyAuditLog({ db })).size, 300);
    } finally {
      await db2.close();
    }
    await first.close();
  },
);

forEachDatabase('ledger: a failing transaction leaves no partial record and no gap', async (db) => {
  const keys = testKeys();
  const ledger = await openLedger(db, keys);
  // Fault injection inside the database: the audit insert of action 'fail.inject' aborts
  // the transaction after its log entry was already inserted.
  if (db.dialect === 'sqlite') {
    await sql`CREATE TRIGGER inject BEFORE INSERT ON ledger_audit WHEN NEW.action = 'fail.inject'
      BEGIN SELECT RAISE(ABORT, 'injected failure'); END`.execute(db.typed());
  } else {
    await sql`CREATE FUNCTION inject() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.action = 'fail.inject' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`.execute(
      db.typed(),
    );
    await sql`CREATE TRIGGER inject BEFORE INSERT ON ledger_audit FOR EACH ROW EXECUTE FUNCTION inject()`.execute(
      db.typed(),
    );
  }
  await ledger.record({ audit: sampleRecord(0), logEntry: entry(0) });
  const outcomes = await Promise.allSettled(
    Array.from({ length: 20 }, (_, i) =>
      ledger.record({
        audit: sampleRecord(i + 1, i === 7 ? { action: 'fail.inject' } : {}),
        logEntry: entry(i + 1),
      }),
    ),
  );
  const failed = outcomes.filter((o) => o.status === 'rejected');
  assert.equal(
    failed.length,
    1,
    'only the injected op fails, its batch neighbours are retried alone',
  );
  assert.match(String((failed[0] as PromiseRejectedResult).reason), /injected failure/);
  await ledger.record({ audit: sampleRecord(99), logEntry: entry(99) });
  await assertGapFree(db, 21);
  const leaves = await ledger.transparency.entries(0, 21);
  assert.ok(
    !leaves.some((l) => Buffer.from(l.data).equals(Buffer.from(entry(8)))),
    'the failed entry was rolled back',
  );
  assert.equal((await verifyTransparencyLog({ db })).size, 21);
  assert.equal((await verifyAuditLog({ db })).size, 21);
  await ledger.close();
});

forEachDatabase(
  'ledger: periodic checkpoints are made when due and only when the log grew',
  async (db) => {
    const keys = testKeys();
    let now = Date.UTC(2025, 0, 1);
    const ledger = await openLedger(db, keys, {
      checkpointIntervalMs: 60_000,
      clock: () => new Date(now),
    });
    assert.equal(
      (await ledger.audit.maybeCheckpoint())?.size,
      0,
      'first checkpoint is due at once',
    );
    await ledger.audit.append(sampleRecord(1));
    assert.equal(await ledger.audit.maybeCheckpoint(), undefined, 'not due yet');
    now += 60_000;
    assert.equal((await ledger.audit.maybeCheckpoint())?.size, 1);
    now += 60_000;
    assert.equal(await ledger.audit.maybeCheckpoint(), undefined, 'log did not grow');
    await ledger.maybeCheckpoint();
    assert.equal((await ledger.transparency.latestCheckpoint())?.size, 0);
    await ledger.close();
    await assert.rejects(() => ledger.audit.append(sampleRecord(2)), { code: 'CLOSED' });
  },
);
