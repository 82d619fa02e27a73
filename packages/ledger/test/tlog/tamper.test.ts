import assert from 'node:assert/strict';
import { sql } from '@cairn/db';
import { verifyTransparencyLog } from '@cairn/ledger';
import { forEachDatabase } from '@cairn/testkit';
import { entry, openLedger, testKeys } from '../helpers.js';

forEachDatabase('tlog verify: recomputes leaves, stored subtrees and checkpoints', async (db) => {
  const keys = testKeys();
  const ledger = await openLedger(db, keys);
  await ledger.transparency.append(Array.from({ length: 40 }, (_, i) => entry(i)));
  await ledger.transparency.checkpoint();
  await ledger.close();
  const ok = await verifyTransparencyLog({ db, verifier: keys.tlogVerifier });
  assert.equal(ok.size, 40);
  assert.equal(ok.checkpointsChecked, 1);
  const k = db.typed();

  await sql`UPDATE ledger_tlog_nodes SET hash = ${Buffer.alloc(32, 1)} WHERE level = 3 AND idx = 2`.execute(
    k,
  );
  await assert.rejects(
    () => verifyTransparencyLog({ db }),
    (e: Error & { details?: unknown }) => {
      assert.equal((e as { code?: string }).code, 'NODE_MISMATCH');
      assert.deepEqual((e.details as { leaves: number[] }).leaves, [16, 24]);
      return true;
    },
  );
  await sql`DELETE FROM ledger_tlog_nodes WHERE level = 3 AND idx = 2`.execute(k);
  await assert.rejects(() => verifyTransparencyLog({ db }), { code: 'NODE_MISSING' });

  await sql`UPDATE ledger_tlog_leaves SET data = ${Buffer.from('forged')} WHERE idx = 7`.execute(k);
  await assert.rejects(
    () => verifyTransparencyLog({ db }),
    (e: Error & { details?: unknown }) => {
      assert.equal((e as { code?: string }).code, 'LEAF_HASH_MISMATCH');
      assert.deepEqual(e.details, { index: 7 });
      return true;
    },
  );
});

forEachDatabase(
  'tlog verify: a rewritten tree no longer matches its signed checkpoint',
  async (db) => {
    const keys = testKeys();
    const ledger = await openLedger(db, keys);
    await ledger.transparency.append(Array.from({ length: 8 }, (_, i) => entry(i)));
    await ledger.transparency.checkpoint();
    await ledger.close();
    // Replace the last leaf and every hash above it consistently: only the checkpoint can tell.
    const k = db.typed();
    await sql`DELETE FROM ledger_tlog_leaves WHERE idx = 7`.execute(k);
    await sql`DELETE FROM ledger_tlog_nodes WHERE (level = 1 AND idx = 3) OR (level = 2 AND idx = 1) OR (level = 3 AND idx = 0)`.execute(
      k,
    );
    await sql`UPDATE ledger_logs SET size = 7 WHERE name = 'tlog'`.execute(k);
    const l2 = await openLedger(db, keys);
    await l2.transparency.append([entry(100)]);
    await l2.close();
    await assert.rejects(() => verifyTransparencyLog({ db, verifier: keys.tlogVerifier }), {
      code: 'CHECKPOINT_MISMATCH',
    });
  },
);
