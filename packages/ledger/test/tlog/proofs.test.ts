import assert from 'node:assert/strict';
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  merkleRoot,
  openCheckpoint,
  verifyConsistency,
  verifyInclusion,
  verifyTlogProof,
} from '@cairn/core';
import { forEachDatabase, assertRejectsCode } from '@cairn/testkit';
import { entry, openLedger, testKeys } from '../helpers.js';

// Every tree shape up to 17 leaves, and the sizes around each power of two up to 70, get an
// inclusion proof for every index (the roots of all sizes 1..70 are checked): the proof
// code is the same SQL on both dialects, so covering each shape once per dialect suffices.
const FULL_SIZES = new Set([
  ...Array.from({ length: 17 }, (_, i) => i + 1),
  31,
  32,
  33,
  63,
  64,
  65,
  70,
]);

forEachDatabase(
  'tlog: stored-tree proofs verify for every index of every tree shape up to 70 leaves',
  async (db) => {
    const keys = testKeys();
    const ledger = await openLedger(db, keys);
    const tlog = ledger.transparency;
    const leaves: Uint8Array[] = [];
    const roots: Uint8Array[] = [];
    for (let size = 1; size <= 70; size++) {
      const [r] = await tlog.append([entry(size - 1)]);
      assert.equal(r!.index, size - 1);
      leaves.push(leafHash(entry(size - 1)));
      const root = await tlog.root();
      assert.deepEqual(root, merkleRoot(leaves), `root at size ${size}`);
      roots.push(root);
      const indices = FULL_SIZES.has(size)
        ? Array.from({ length: size }, (_, i) => i)
        : [0, size >> 1, size - 1];
      for (const i of indices) {
        const p = await tlog.inclusionProof(i);
        assert.deepEqual(p.proof, inclusionProof(i, leaves), `proof ${i}/${size}`);
        verifyInclusion({
          leafIndex: i,
          treeSize: size,
          leafHash: leaves[i]!,
          proof: p.proof,
          root,
        });
      }
      const firstSizes =
        size === 64 || size === 70
          ? roots.map((_, j) => j + 1)
          : [1, Math.ceil(size / 2), size - 1, size];
      for (const s1 of firstSizes.filter((s) => s >= 1)) {
        const c = await tlog.consistencyProof(s1);
        verifyConsistency({
          size1: s1,
          size2: size,
          root1: roots[s1 - 1]!,
          root2: root,
          proof: c.proof,
        });
      }
    }
    // Historical proofs, by leaf hash, against older tree sizes.
    const p = await tlog.inclusionProof(leaves[10]!, 33);
    assert.equal(p.index, 10);
    verifyInclusion({
      leafIndex: 10,
      treeSize: 33,
      leafHash: leaves[10]!,
      proof: p.proof,
      root: roots[32]!,
    });
    await ledger.close();
  },
);

forEachDatabase(
  'tlog: larger trees (batches of 1000 and 1337) match the in-memory tree',
  async (db) => {
    const keys = testKeys();
    const ledger = await openLedger(db, keys);
    const tlog = ledger.transparency;
    const all: Uint8Array[] = [];
    for (const n of [1000, 1337]) {
      const batch = Array.from({ length: n }, (_, i) => entry(all.length + i));
      const res = await tlog.append(batch);
      assert.deepEqual(
        res.map((r) => r.index),
        batch.map((_, i) => all.length + i),
      );
      all.push(...batch.map(leafHash));
    }
    const size = all.length;
    const root = await tlog.root();
    assert.deepEqual(root, merkleRoot(all));
    for (const i of [0, 1, 511, 512, 999, 1000, 1023, 1024, 2047, 2048, size - 1]) {
      const p = await tlog.inclusionProof(i);
      verifyInclusion({ leafIndex: i, treeSize: size, leafHash: all[i]!, proof: p.proof, root });
    }
    for (const s1 of [1, 7, 1000, 1024, 2000, size]) {
      const c = await tlog.consistencyProof(s1);
      assert.deepEqual(c.proof, consistencyProof(s1, all.slice(0, size)));
    }
    const page = await tlog.entries(995, 1005);
    assert.deepEqual(
      page.map((e) => e.index),
      Array.from({ length: 10 }, (_, i) => 995 + i),
    );
    assert.deepEqual(page[0]!.data, entry(995));
    await assertRejectsCode(() => tlog.entries(0, 2000), 'RANGE_TOO_LARGE');
    await assertRejectsCode(() => tlog.inclusionProof(size), 'INDEX_OUT_OF_RANGE');
    await assertRejectsCode(() => tlog.inclusionProof(leafHash(entry(-1))), 'NOT_FOUND');
    await ledger.close();
  },
);

forEachDatabase('tlog: checkpoints verify with the log key; tlog-proof round trip', async (db) => {
  const keys = testKeys();
  const ledger = await openLedger(db, keys);
  const tlog = ledger.transparency;
  const empty = await tlog.checkpoint();
  assert.equal(empty.size, 0);
  const res = await tlog.append([entry(1), entry(2), entry(3)]);
  const proofText = await tlog.tlogProof(res[1]!.index);
  const verified = verifyTlogProof(proofText, { data: entry(2) }, keys.tlogVerifier);
  assert.equal(verified.index, 1);
  assert.equal(verified.checkpoint.size, 3);
  const cp = await tlog.checkpoint();
  const opened = openCheckpoint(cp.note, keys.tlogVerifier);
  assert.equal(opened.checkpoint.origin, 'cairn.example/tlog');
  assert.deepEqual(opened.checkpoint.rootHash, await tlog.root());
  // The same size is not signed twice; a grown tree is.
  assert.equal((await tlog.checkpoint()).note, cp.note);
  await tlog.append([entry(4)]);
  assert.equal((await tlog.checkpoint()).size, 4);
  assert.deepEqual(
    (await tlog.checkpoints()).map((c) => c.size),
    [0, 3, 4],
  );
  // A proof for entry 2 does not verify for other data.
  assert.throws(() => verifyTlogProof(proofText, { data: entry(3) }, keys.tlogVerifier), {
    code: 'NOT_INCLUDED',
  });
  // Duplicates return the existing index.
  const again = await tlog.append([entry(2), entry(5), entry(5)]);
  assert.deepEqual(
    again.map((r) => [r.index, r.existing]),
    [
      [1, true],
      [4, false],
      [4, true],
    ],
  );
  assert.equal(await tlog.size(), 5);
  await ledger.close();
});
