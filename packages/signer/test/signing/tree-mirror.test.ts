import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import test from 'node:test';
import { inclusionProof, leafHash, merkleRoot, verifyInclusion } from '@cairn/core';
import { TreeMirror } from '@cairn/signer';

const leaves = Array.from({ length: 300 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));

test('TreeMirror: roots and inclusion proofs equal core reference for every size and index', () => {
  const m = new TreeMirror();
  for (let size = 1; size <= leaves.length; size++) {
    m.add(size - 1, leaves[size - 1]!);
    assert.equal(m.size, size);
    const prefix = leaves.slice(0, size);
    const root = merkleRoot(prefix);
    assert.deepEqual(Buffer.from(m.root(size)), Buffer.from(root), `root ${size}`);
    // every index for small trees, a spread of indices for larger ones
    const step = size <= 64 ? 1 : 7;
    for (let i = 0; i < size; i += step) {
      const p = m.inclusionProof(i, size);
      assert.deepEqual(
        p.map((x) => Buffer.from(x)),
        inclusionProof(i, prefix).map((x) => Buffer.from(x)),
      );
      verifyInclusion({ leafIndex: i, treeSize: size, leafHash: prefix[i]!, proof: p, root });
    }
  }
  // an older size after a newer one: the per-size cache of incomplete subtrees is redone
  const old = leaves.slice(0, 77);
  assert.deepEqual(Buffer.from(m.root(77)), Buffer.from(merkleRoot(old)));
  assert.deepEqual(
    m.inclusionProof(76, 77).map((x) => Buffer.from(x)),
    inclusionProof(76, old).map((x) => Buffer.from(x)),
  );
});

test('TreeMirror: out-of-order leaves are placed once the gap fills; uncovered sizes are refused', () => {
  const m = new TreeMirror();
  const order = [2, 0, 5, 1, 4, 3, 6];
  const hs = Array.from({ length: 7 }, () => randomBytes(32));
  const seen: number[] = [];
  for (const i of order) {
    m.add(i, hs[i]!);
    seen.push(i);
    let contiguous = 0;
    while (seen.includes(contiguous)) contiguous++;
    assert.equal(m.size, contiguous, `after adding ${seen.join(',')}`);
  }
  assert.deepEqual(Buffer.from(m.root(7)), Buffer.from(merkleRoot(hs)));
  assert.equal(m.covers(7), true);
  assert.equal(m.covers(8), false);
  assert.throws(() => m.root(8), /does not cover size 8/);
  assert.throws(() => m.inclusionProof(0, 8), /does not cover size 8/);
  // a repeated or malformed leaf changes nothing
  m.add(3, randomBytes(32));
  m.add(7, new Uint8Array(31));
  assert.equal(m.size, 7);
  assert.deepEqual(Buffer.from(m.root(7)), Buffer.from(merkleRoot(hs)));
});

test('TreeMirror: grows past its initial buffers (5,000 leaves) with the right root', () => {
  const m = new TreeMirror();
  const hs = Array.from({ length: 5000 }, (_, i) => leafHash(Buffer.from(String(i))));
  hs.forEach((h, i) => {
    m.add(i, h);
  });
  assert.deepEqual(Buffer.from(m.root(5000)), Buffer.from(merkleRoot(hs)));
  assert.deepEqual(Buffer.from(m.root(4097)), Buffer.from(merkleRoot(hs.slice(0, 4097))));
});
