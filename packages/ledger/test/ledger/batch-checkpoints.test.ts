import assert from 'node:assert/strict';
import {
  leafHash,
  noteSignerFromKey,
  openCheckpoint,
  signCheckpoint,
  verifyInclusion,
} from '@cairn/core';
import type { NoteSigner } from '@cairn/core';
import { openDatabase, sql, toDbTimestamp } from '@cairn/db';
import type { Database } from '@cairn/db';
import { Ledger, verifyAuditLog, verifyTransparencyLog } from '@cairn/ledger';
import type { LedgerTables, RecordResult } from '@cairn/ledger';
import { assertRejectsCode, forEachDatabase } from '@cairn/testkit';
import { entry, openLedger, sampleRecord, testKeys } from '../helpers.js';
import type { TestKeys } from '../helpers.js';

function openBatchLedger(db: Database, keys: TestKeys, signer?: NoteSigner): Promise<Ledger> {
  return Ledger.open({
    db,
    transparency: {
      signer: signer ?? noteSignerFromKey(keys.tlogSigner),
      checkpointEachBatch: true,
    },
    audit: { signer: noteSignerFromKey(keys.auditSigner) },
    checkpointIntervalMs: 0,
  });
}

async function tlogCheckpointCount(db: Database): Promise<number> {
  const { rows } = await sql<{
    n: bigint;
  }>`SELECT count(*) AS n FROM ledger_checkpoints WHERE log = 'tlog'`.execute(db.typed());
  return Number(rows[0]!.n);
}

/** The checkpoint is signed by the log key, has the tree's root, and proves the entry. */
async function assertProves(
  ledger: Ledger,
  keys: TestKeys,
  r: RecordResult,
  data: Uint8Array,
): Promise<void> {
  const cp = r.checkpoint;
  assert.ok(cp !== undefined, 'record() returns the batch checkpoint');
  assert.equal(r.entry!.checkpoint?.note, cp.note, 'entry.checkpoint is the same');
  assert.ok(cp.size > r.entry!.index, 'the checkpoint covers the entry');
  const opened = openCheckpoint(cp.note, keys.tlogVerifier);
  assert.equal(opened.checkpoint.size, cp.size);
  assert.deepEqual(opened.checkpoint.rootHash, cp.root);
  assert.deepEqual(cp.root, await ledger.transparency.root(cp.size));
  const p = await ledger.transparency.inclusionProof(r.entry!.index, cp.size);
  verifyInclusion({
    leafIndex: r.entry!.index,
    treeSize: cp.size,
    leafHash: leafHash(data),
    proof: p.proof,
    root: cp.root,
  });
}

forEachDatabase(
  'checkpointEachBatch: every batch commits a signed checkpoint of its tree with its entries',
  async (db) => {
    const keys = testKeys();
    const ledger = await openBatchLedger(db, keys);
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        ledger.record({ audit: sampleRecord(i), logEntry: entry(i) }),
      ),
    );
    // A few more batches of one, one after the other.
    for (let i = 300; i < 303; i++) {
      results.push(await ledger.record({ audit: sampleRecord(i), logEntry: entry(i) }));
    }
    const { batches } = ledger.stats();
    assert.ok(batches < 100, `expected group commit, got ${batches} batches`);
    assert.equal(await tlogCheckpointCount(db), batches, 'one checkpoint per batch');
    const stored = await ledger.transparency.checkpoints();
    const sizes = stored.map((c) => c.size);
    for (const [i, r] of results.entries()) {
      await assertProves(ledger, keys, r, entry(i));
      // The smallest checkpoint covering the entry: the one before it does not.
      const before = sizes.filter((s) => s < r.checkpoint!.size).at(-1) ?? 0;
      assert.ok(
        before <= r.entry!.index,
        `entry ${r.entry!.index}: ${before} < ${r.checkpoint!.size}`,
      );
      assert.ok(sizes.includes(r.checkpoint!.size), 'the returned checkpoint is stored');
    }
    // checkpoint() and the periodic path find the current one: nothing new is signed.
    const latest = await ledger.transparency.checkpoint();
    assert.equal(latest.size, 303);
    assert.equal(await ledger.transparency.maybeCheckpoint(), undefined);
    assert.equal(await tlogCheckpointCount(db), batches);
    // Paging through them.
    const page = await ledger.transparency.checkpoints({ fromSize: sizes[1]!, limit: 2 });
    assert.deepEqual(
      page.map((c) => c.size),
      sizes.slice(1, 3),
    );
    await ledger.close();
    const v = await verifyTransparencyLog({ db, verifier: keys.tlogVerifier });
    assert.equal(v.size, 303);
    assert.equal(v.checkpointsChecked, batches);
    assert.equal((await verifyAuditLog({ db, verifier: keys.auditVerifier })).size, 303);
  },
);

forEachDatabase(
  'checkpointEachBatch: audit-only records make no checkpoint; append() returns it too',
  async (db) => {
    const keys = testKeys();
    const ledger = await openBatchLedger(db, keys);
    const audit = await ledger.record({ audit: sampleRecord(0) });
    assert.equal(audit.checkpoint, undefined);
    assert.equal(await tlogCheckpointCount(db), 0);
    const appended = await ledger.transparency.append([entry(0), entry(1)]);
    for (const a of appended) {
      assert.ok(a.checkpoint !== undefined && a.checkpoint.size > a.index);
    }
    await ledger.close();
  },
);

forEachDatabase(
  'checkpointEachBatch: a duplicate entry gets a checkpoint covering its first index',
  async (db) => {
    const keys = testKeys();
    // Written without the option: no checkpoint is stored at the current size.
    const plain = await openLedger(db, keys);
    await plain.transparency.append([entry(0), entry(1), entry(2)]);
    await plain.close();
    const ledger = await openBatchLedger(db, keys);
    const dup = await ledger.record({ audit: sampleRecord(1), logEntry: entry(1) });
    assert.equal(dup.entry!.existing, true);
    assert.equal(dup.entry!.index, 1);
    assert.equal(dup.checkpoint!.size, 3, 'one is made for the current size');
    await assertProves(ledger, keys, dup, entry(1));
    const again = await ledger.record({ audit: sampleRecord(2), logEntry: entry(2) });
    assert.equal(again.checkpoint!.note, dup.checkpoint!.note, 'and then reused');
    assert.equal(await tlogCheckpointCount(db), 1);
    await ledger.close();
    assert.equal((await verifyTransparencyLog({ db, verifier: keys.tlogVerifier })).size, 3);
  },
);

forEachDatabase(
  'checkpointEachBatch: the checkpoint is in the batch transaction (signer or insert failure rolls back all)',
  async (db) => {
    const keys = testKeys();
    const real = noteSignerFromKey(keys.tlogSigner);
    let failSigning = false;
    const flaky: NoteSigner = {
      name: real.name,
      keyId: real.keyId,
      sign: (msg) => {
        if (failSigning) return Promise.reject(new Error('HSM unavailable'));
        return real.sign(msg);
      },
    };
    const ledger = await openBatchLedger(db, keys, flaky);
    await ledger.record({ audit: sampleRecord(0), logEntry: entry(0) });
    failSigning = true;
    const failed = await Promise.allSettled(
      [1, 2, 3].map((i) => ledger.record({ audit: sampleRecord(i), logEntry: entry(i) })),
    );
    assert.ok(
      failed.every((f) => f.status === 'rejected' && /HSM unavailable/.test(String(f.reason))),
    );
    assert.equal(await ledger.transparency.size(), 1, 'no entry without its checkpoint');
    assert.equal((await ledger.audit.head()).size, 1, 'no audit record either');
    failSigning = false;

    // A failing checkpoint insert (fault injected in the database) rolls back too.
    if (db.dialect === 'sqlite') {
      await sql`CREATE TRIGGER inject BEFORE INSERT ON ledger_checkpoints WHEN NEW.size = 3
        BEGIN SELECT RAISE(ABORT, 'injected failure'); END`.execute(db.typed());
    } else {
      await sql`CREATE FUNCTION inject() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.size = 3 THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`.execute(
        db.typed(),
      );
      await sql`CREATE TRIGGER inject BEFORE INSERT ON ledger_checkpoints FOR EACH ROW EXECUTE FUNCTION inject()`.execute(
        db.typed(),
      );
    }
    const r1 = await ledger.record({ audit: sampleRecord(1), logEntry: entry(1) });
    assert.equal(r1.checkpoint!.size, 2);
    await assert.rejects(
      () => ledger.record({ audit: sampleRecord(2), logEntry: entry(2) }),
      /injected failure/,
    );
    assert.equal(await ledger.transparency.size(), 2);
    assert.equal((await ledger.audit.head()).size, 2);
    await sql`DROP TRIGGER inject ${sql.raw(db.dialect === 'postgres' ? 'ON ledger_checkpoints' : '')}`.execute(
      db.typed(),
    );
    const r2 = await ledger.record({ audit: sampleRecord(2), logEntry: entry(2) });
    assert.equal(r2.checkpoint!.size, 3);
    await ledger.close();
    assert.equal((await verifyTransparencyLog({ db, verifier: keys.tlogVerifier })).size, 3);
    assert.equal((await verifyAuditLog({ db })).size, 3);
  },
);

forEachDatabase(
  'checkpointEachBatch: a checkpoint already stored beyond the log is STORE_CORRUPT',
  async (db) => {
    const keys = testKeys();
    const ledger = await openBatchLedger(db, keys);
    await ledger.record({ audit: sampleRecord(0), logEntry: entry(0) });
    await db
      .typed<LedgerTables>()
      .insertInto('ledger_checkpoints')
      .values({
        log: 'tlog',
        size: 2n,
        root: Buffer.alloc(32),
        note: 'forged',
        created_at: toDbTimestamp(new Date()),
      })
      .execute();
    await assertRejectsCode(
      () => ledger.record({ audit: sampleRecord(1), logEntry: entry(1) }),
      'STORE_CORRUPT',
    );
    assert.equal(await ledger.transparency.size(), 1);
    await ledger.close();
  },
);

forEachDatabase(
  'checkpointEachBatch: two ledgers on one database, each result proven by its checkpoint',
  async (db, _t, config) => {
    const keys = testKeys();
    const first = await openBatchLedger(db, keys);
    const db2 = await openDatabase(config);
    try {
      const second = await openBatchLedger(db2, keys);
      const work = (l: Ledger, base: number) =>
        Promise.all(
          Array.from({ length: 100 }, async (_, i) => {
            await new Promise((r) => setTimeout(r, i % 5));
            const r = await l.record({ audit: sampleRecord(base + i), logEntry: entry(base + i) });
            return { r, data: entry(base + i) };
          }),
        );
      const [a, b] = await Promise.all([work(first, 0), work(second, 1000)]);
      assert.deepEqual(
        [...a, ...b].map((x) => x.r.entry!.index).sort((x, y) => x - y),
        Array.from({ length: 200 }, (_, i) => i),
      );
      for (const { r, data } of [...a, ...b]) await assertProves(first, keys, r, data);
      const batches = first.stats().batches + second.stats().batches;
      assert.equal(await tlogCheckpointCount(db), batches);
      await second.close();
      const v = await verifyTransparencyLog({ db, verifier: keys.tlogVerifier });
      assert.equal(v.size, 200);
      assert.equal(v.checkpointsChecked, batches);
    } finally {
      await db2.close();
    }
    await first.close();
  },
);

forEachDatabase(
  'tlog verify: reads thousands of checkpoints page by page and names a bad one',
  async (db) => {
    const keys = testKeys();
    const ledger = await openLedger(db, keys);
    const n = 2100;
    await ledger.transparency.append(Array.from({ length: n }, (_, i) => entry(i)));
    const signer = noteSignerFromKey(keys.tlogSigner);
    const rows = [];
    for (let size = 1; size <= n; size++) {
      const root = await ledger.transparency.root(size);
      const note = await signCheckpoint(
        { origin: signer.name, size, rootHash: root, extensions: [] },
        [signer],
      );
      rows.push({
        log: 'tlog',
        size: BigInt(size),
        root: Buffer.from(root),
        note,
        created_at: toDbTimestamp(new Date()),
      });
    }
    const k = db.typed<LedgerTables>();
    for (let i = 0; i < rows.length; i += 500) {
      await k
        .insertInto('ledger_checkpoints')
        .values(rows.slice(i, i + 500))
        .execute();
    }
    await ledger.close();
    const v = await verifyTransparencyLog({ db, verifier: keys.tlogVerifier });
    assert.equal(v.size, n);
    assert.equal(v.checkpointsChecked, n);

    // A checkpoint past the first page whose note belongs to another size.
    const other = rows[2049]!.note;
    await sql`UPDATE ledger_checkpoints SET note = ${rows[2050]!.note} WHERE log = 'tlog' AND size = 2050`.execute(
      k,
    );
    await assert.rejects(() => verifyTransparencyLog({ db }), {
      code: 'CHECKPOINT_INVALID',
      message: /size 2050 holds a note of size 2051/,
    });
    await sql`UPDATE ledger_checkpoints SET note = ${other} WHERE log = 'tlog' AND size = 2050`.execute(
      k,
    );
    // A validly signed checkpoint of a tree the leaves do not give, past the first page.
    const forged = await signCheckpoint(
      { origin: signer.name, size: 2077, rootHash: new Uint8Array(32).fill(7), extensions: [] },
      [signer],
    );
    await sql`UPDATE ledger_checkpoints SET note = ${forged} WHERE log = 'tlog' AND size = 2077`.execute(
      k,
    );
    await assert.rejects(() => verifyTransparencyLog({ db, verifier: keys.tlogVerifier }), {
      code: 'CHECKPOINT_MISMATCH',
      details: { size: 2077 },
    });
    await sql`UPDATE ledger_checkpoints SET note = ${rows[2076]!.note} WHERE log = 'tlog' AND size = 2077`.execute(
      k,
    );
    // Leaves removed after checkpoints were signed.
    await sql`DELETE FROM ledger_tlog_leaves WHERE idx >= 2090`.execute(k);
    await sql`UPDATE ledger_logs SET size = 2090 WHERE name = 'tlog'`.execute(k);
    await sql`DELETE FROM ledger_tlog_nodes WHERE (idx + 1) * power(2, level) > 2090`.execute(k);
    await assert.rejects(() => verifyTransparencyLog({ db }), {
      code: 'CHECKPOINT_MISMATCH',
      details: { size: 2091 },
    });
  },
);
