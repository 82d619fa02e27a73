import assert from 'node:assert/strict';
import { generateNoteKey, leafHash, noteVerifierFromKey } from '@cairn/core';
import { sql } from '@cairn/db';
import type { Database } from '@cairn/db';
import { latestCheckpoint, verifyTransparencyLog } from '@cairn/ledger';
import type { LedgerTables } from '@cairn/ledger';
import {
  forEachDatabase,
  readTlogLeaves as readLeaves,
  writeTlogLeaves as writeLeaves,
} from '@cairn/testkit';
import type { TlogLeaf as Leaf } from '@cairn/testkit';
import { entry, openLedger, sampleRecord, testKeys } from '../helpers.js';

function rejectsWith(db: Database, want: Record<string, unknown>): Promise<void> {
  return assert.rejects(
    () => verifyTransparencyLog({ db }),
    (e: Error & { code?: string; details?: Record<string, unknown> }) => {
      const { code, ...details } = want;
      assert.equal(e.code, code, e.message);
      for (const [key, value] of Object.entries(details)) {
        assert.deepEqual(e.details?.[key], value, `${key} in ${JSON.stringify(e.details)}`);
      }
      return true;
    },
  );
}

forEachDatabase('tlog verify: exported checkpoints reveal truncation and rewriting', async (db) => {
  const keys = testKeys();
  const ledger = await openLedger(db, keys);
  await ledger.transparency.append(Array.from({ length: 12 }, (_, i) => entry(i)));
  const at12 = await ledger.transparency.checkpoint();
  await ledger.transparency.append(Array.from({ length: 8 }, (_, i) => entry(12 + i)));
  await ledger.transparency.checkpoint();
  await ledger.transparency.append([entry(20)]);
  const at21 = await ledger.transparency.checkpoint();
  await ledger.record({ audit: sampleRecord(1) });
  await ledger.audit.checkpoint();
  await ledger.close();
  const k = db.typed<LedgerTables>();
  const auditNote = (await latestCheckpoint(k, 'audit'))!.note;
  const original = await readLeaves(k);

  const ok = await verifyTransparencyLog({
    db,
    verifier: keys.tlogVerifier,
    checkpoints: [at21.note, at12.note],
  });
  assert.equal(ok.size, 21);
  assert.equal(ok.checkpointsChecked, 5, 'three stored and two exported');
  assert.equal(ok.signaturesChecked, true);

  await assert.rejects(
    () =>
      verifyTransparencyLog({
        db,
        verifier: keys.tlogVerifier,
        checkpoints: [at12.note, auditNote],
      }),
    { code: 'CHECKPOINT_INVALID', details: { exported: 2 } },
  );
  const stranger = noteVerifierFromKey(generateNoteKey(keys.tlogVerifier.name).verifierKey);
  await assert.rejects(
    () => verifyTransparencyLog({ db, verifier: stranger, checkpoints: [at12.note] }),
    { code: 'CHECKPOINT_INVALID', message: /exported checkpoint 1 was refused/ },
  );

  // Leaf 20, the last of an odd-sized tree, sits under no stored subtree: replaced with
  // its hash and its stored checkpoint dropped, only the exported checkpoint shows it.
  await writeLeaves(k, [...original.slice(0, 20), forgedLeaf(99)]);
  await sql`DELETE FROM ledger_checkpoints WHERE log = 'tlog' AND size = 21`.execute(k);
  assert.equal((await verifyTransparencyLog({ db })).size, 21, 'nothing stored reveals it');
  await assert.rejects(
    () => verifyTransparencyLog({ db, verifier: keys.tlogVerifier, checkpoints: [at21.note] }),
    (e: Error & { code?: string; details?: unknown }) => {
      assert.equal(e.code, 'CHECKPOINT_MISMATCH');
      assert.deepEqual(e.details, { size: 21 });
      assert.match(e.message, /exported checkpoint 1 \(size 21\).*rewritten.*\(leaf 20 differs/);
      return true;
    },
  );
  await writeLeaves(k, original);

  // Truncated to 15 leaves, with the stored size, nodes and checkpoints made to fit:
  // only an exported checkpoint still knows.
  await writeLeaves(k, original.slice(0, 15));
  await sql`DELETE FROM ledger_tlog_nodes WHERE (idx + 1) * power(2, level) > 15`.execute(k);
  await sql`DELETE FROM ledger_checkpoints WHERE log = 'tlog' AND size > 15`.execute(k);
  assert.equal((await verifyTransparencyLog({ db, verifier: keys.tlogVerifier })).size, 15);
  await assert.rejects(
    () =>
      verifyTransparencyLog({
        db,
        verifier: keys.tlogVerifier,
        checkpoints: [at12.note, at21.note],
      }),
    (e: Error & { code?: string; details?: unknown }) => {
      assert.equal(e.code, 'CHECKPOINT_MISMATCH');
      assert.deepEqual(e.details, { index: 15, size: 21, change: 'truncated' });
      assert.match(
        e.message,
        /leaf 15 and later were removed \(truncated\).*exported checkpoint 2 covers 21/,
      );
      return true;
    },
  );
});

forEachDatabase('tlog verify: names the first bad leaf and what happened to it', async (db, t) => {
  const keys = testKeys();
  const ledger = await openLedger(db, keys);
  await ledger.transparency.append(Array.from({ length: 40 }, (_, i) => entry(i)));
  await ledger.close();
  const k = db.typed<LedgerTables>();
  const original = await readLeaves(k);
  const restore = () => writeLeaves(k, original);

  const cases: [string, (l: Leaf[]) => Leaf[], Record<string, unknown>][] = [
    [
      'two neighbours swapped',
      (l) => [...l.slice(0, 10), l[11]!, l[10]!, ...l.slice(12)],
      { code: 'NODE_MISMATCH', index: 10, change: 'reordered', leaves: [10, 12] },
    ],
    [
      'two distant leaves swapped',
      (l) => [...l.slice(0, 5), l[30]!, ...l.slice(6, 30), l[5]!, ...l.slice(31)],
      { code: 'NODE_MISMATCH', index: 5, change: 'reordered', storedAt: 30 },
    ],
    [
      'a leaf inserted at an even index',
      (l) => [...l.slice(0, 16), forgedLeaf(99), ...l.slice(16)],
      { code: 'NODE_MISMATCH', index: 16, change: 'inserted' },
    ],
    [
      'a leaf inserted at an odd index',
      (l) => [...l.slice(0, 23), forgedLeaf(99), ...l.slice(23)],
      { code: 'NODE_MISMATCH', index: 23, change: 'inserted' },
    ],
    [
      'a leaf deleted and the later ones renumbered',
      (l) => [...l.slice(0, 21), ...l.slice(22)],
      { code: 'NODE_MISMATCH', index: 20, change: 'missing', leaves: [20, 22] },
    ],
    ['a leaf deleted, leaving a gap', (l) => l, { code: 'LEAF_MISSING', index: 33 }],
    [
      'a leaf replaced together with its hash',
      (l) => [...l.slice(0, 8), forgedLeaf(99), ...l.slice(9)],
      { code: 'NODE_MISMATCH', index: undefined, leaves: [8, 10] },
    ],
    [
      'an earlier swap is named before a later edit',
      (l) => [
        ...l.slice(0, 2),
        l[3]!,
        l[2]!,
        ...l.slice(4, 30),
        { data: entry(99), leaf_hash: l[30]!.leaf_hash },
        ...l.slice(31),
      ],
      { code: 'NODE_MISMATCH', index: 2, change: 'reordered' },
    ],
  ];
  for (const [name, change, want] of cases) {
    await t.test(name, async () => {
      await writeLeaves(k, change(original));
      if (name.includes('gap')) {
        await sql`DELETE FROM ledger_tlog_leaves WHERE idx = 33`.execute(k);
      }
      try {
        await rejectsWith(db, want);
      } finally {
        await restore();
      }
    });
  }

  await t.test('a stored subtree hash edited alone', async () => {
    await sql`UPDATE ledger_tlog_nodes SET hash = ${Buffer.alloc(32, 9)} WHERE level = 1 AND idx = 6`.execute(
      k,
    );
    await rejectsWith(db, { code: 'NODE_MISMATCH', change: 'node-edited', leaves: [12, 14] });
  });
});

function forgedLeaf(n: number): Leaf {
  const data = new TextEncoder().encode(`forged-${n}`);
  return { data, leaf_hash: leafHash(data) };
}
