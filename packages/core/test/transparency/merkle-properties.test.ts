// Property tests: generated proofs verify, any mutation is refused, generation
// agrees with verification and with an independent level-by-level tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  MerkleError,
  consistencyProof,
  consistencyProofRanges,
  consistencyProofWith,
  emptyRoot,
  inclusionProof,
  inclusionProofRanges,
  inclusionProofWith,
  leafHash,
  merkleRoot,
  nodeHash,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '@cairn/core';
import { assertThrowsCode } from '@cairn/testkit';

/** Distinct leaf hashes for a tree of `n` leaves. */
function leaves(n: number, seed: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${seed}/${i}`)));
}

/** Independent reference: hash level by level, promoting an odd last node. */
function referenceRoot(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return new Uint8Array(createHash('sha256').digest());
  let level = [...hashes];
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const out = new Uint8Array(b);
  out[(bit >> 3) % out.length]! ^= 1 << (bit & 7);
  return out;
}

function rejects(fn: () => void): boolean {
  try {
    fn();
    return false;
  } catch (err) {
    assert.ok(err instanceof MerkleError, `expected MerkleError, got ${String(err)}`);
    return true;
  }
}

const treeAndIndex = fc
  .integer({ min: 1, max: 300 })
  .chain((n) => fc.record({ n: fc.constant(n), index: fc.nat(n - 1), seed: fc.nat() }));

const treeAndSizes = fc
  .integer({ min: 1, max: 300 })
  .chain((n2) =>
    fc.record({ n2: fc.constant(n2), n1: fc.integer({ min: 1, max: n2 }), seed: fc.nat() }),
  );

test('merkleRoot matches the level-by-level reference and the empty root', () => {
  assert.deepEqual(merkleRoot([]), emptyRoot());
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 300 }), fc.nat(), (n, seed) => {
      const ls = leaves(n, seed);
      assert.deepEqual(merkleRoot(ls), referenceRoot(ls));
    }),
    { numRuns: 100 },
  );
});

test('generated inclusion proofs verify and recompute the root', () => {
  fc.assert(
    fc.property(treeAndIndex, ({ n, index, seed }) => {
      const ls = leaves(n, seed);
      const root = merkleRoot(ls);
      const proof = inclusionProof(index, ls);
      verifyInclusion({ leafIndex: index, treeSize: n, leafHash: ls[index]!, proof, root });
      assert.deepEqual(
        rootFromInclusionProof({ leafIndex: index, treeSize: n, leafHash: ls[index]!, proof }),
        root,
      );
      const viaGetter = inclusionProofWith(index, n, (s, e) => merkleRoot(ls.slice(s, e)));
      assert.deepEqual(viaGetter, proof);
    }),
    { numRuns: 150 },
  );
});

// Tree sizes are not bound by a proof alone (the proof for leaf 0 of 33 leaves is also
// well-formed for 34); the signed checkpoint binds size to root, so sizes are not mutated here.
test('any mutated inclusion proof, root, leaf or index is refused', () => {
  fc.assert(
    fc.property(treeAndIndex, fc.nat(), fc.nat(), ({ n, index, seed }, pick, bit) => {
      const ls = leaves(n, seed);
      const root = merkleRoot(ls);
      const proof = inclusionProof(index, ls);
      const base = { leafIndex: index, treeSize: n, leafHash: ls[index]!, proof, root };
      assert.ok(
        rejects(() => {
          verifyInclusion({ ...base, root: flipBit(root, bit) });
        }),
      );
      assert.ok(
        rejects(() => {
          verifyInclusion({ ...base, leafHash: flipBit(ls[index]!, bit) });
        }),
      );
      if (proof.length > 0) {
        const k = pick % proof.length;
        const mutated = proof.map((p, i) => (i === k ? flipBit(p, bit) : p));
        assert.ok(
          rejects(() => {
            verifyInclusion({ ...base, proof: mutated });
          }),
        );
        assert.ok(
          rejects(() => {
            verifyInclusion({ ...base, proof: proof.slice(1) });
          }),
        );
      }
      assert.ok(
        rejects(() => {
          verifyInclusion({ ...base, proof: [...proof, root] });
        }),
      );
      const other = (index + 1 + (pick % n)) % n;
      if (other !== index)
        assert.ok(
          rejects(() => {
            verifyInclusion({ ...base, leafIndex: other });
          }),
        );
    }),
    { numRuns: 150 },
  );
});

test('generated consistency proofs verify; generation agrees with the getter form', () => {
  fc.assert(
    fc.property(treeAndSizes, ({ n1, n2, seed }) => {
      const ls = leaves(n2, seed);
      const root1 = merkleRoot(ls.slice(0, n1));
      const root2 = merkleRoot(ls);
      const proof = consistencyProof(n1, ls);
      verifyConsistency({ size1: n1, size2: n2, root1, root2, proof });
      assert.deepEqual(
        consistencyProofWith(n1, n2, (s, e) => merkleRoot(ls.slice(s, e))),
        proof,
      );
    }),
    { numRuns: 150 },
  );
});

test('any mutated consistency proof or root is refused', () => {
  fc.assert(
    fc.property(treeAndSizes, fc.nat(), fc.nat(), ({ n1, n2, seed }, pick, bit) => {
      const ls = leaves(n2, seed);
      const root1 = merkleRoot(ls.slice(0, n1));
      const root2 = merkleRoot(ls);
      const proof = consistencyProof(n1, ls);
      const base = { size1: n1, size2: n2, root1, root2, proof };
      assert.ok(
        rejects(() => {
          verifyConsistency({ ...base, root1: flipBit(root1, bit) });
        }),
      );
      assert.ok(
        rejects(() => {
          verifyConsistency({ ...base, root2: flipBit(root2, bit) });
        }),
      );
      if (proof.length > 0) {
        const k = pick % proof.length;
        const mutated = proof.map((p, i) => (i === k ? flipBit(p, bit) : p));
        assert.ok(
          rejects(() => {
            verifyConsistency({ ...base, proof: mutated });
          }),
        );
        assert.ok(
          rejects(() => {
            verifyConsistency({ ...base, proof: proof.slice(0, -1) });
          }),
        );
      }
      assert.ok(
        rejects(() => {
          verifyConsistency({ ...base, proof: [...proof, root1] });
        }),
      );
      if (n1 < n2) {
        assert.ok(
          rejects(() => {
            verifyConsistency({ ...base, root1: root2, root2: root1 });
          }),
        );
      }
    }),
    { numRuns: 150 },
  );
});

test('proof shapes agree between generator and verifier beyond 2^32 leaves', () => {
  const fake = (s: number, e: number): Uint8Array => leafHash(Buffer.from(`${s}-${e}`));
  fc.assert(
    fc.property(fc.integer({ min: 2, max: Number.MAX_SAFE_INTEGER }), fc.nat(), (size, r) => {
      const index = r % size;
      const ranges = inclusionProofRanges(index, size);
      // The ranges and the leaf partition the tree.
      const sorted = [...ranges, { start: index, end: index + 1 }].sort(
        (a, b) => a.start - b.start,
      );
      let at = 0;
      for (const rg of sorted) {
        assert.equal(rg.start, at);
        at = rg.end;
      }
      assert.equal(at, size);
      // The verifier expects exactly as many hashes as the generator produced.
      rootFromInclusionProof({
        leafIndex: index,
        treeSize: size,
        leafHash: fake(0, 0),
        proof: ranges.map((x) => fake(x.start, x.end)),
      });
      const size1 = 1 + (r % size);
      const cRanges = consistencyProofRanges(size1, size);
      assert.ok(cRanges.length <= 2 * 53);
    }),
    { numRuns: 300 },
  );
});

test('bad sizes and indices get typed errors', () => {
  const h = leafHash(Buffer.from('x'));
  for (const bad of [-1, 1.5, Number.NaN, Infinity, 2 ** 53, 2 ** 64]) {
    assertThrowsCode(() => {
      verifyInclusion({ leafIndex: 0, treeSize: bad, leafHash: h, proof: [], root: h });
    }, 'SIZE_INVALID');
    assertThrowsCode(() => {
      verifyInclusion({ leafIndex: bad, treeSize: 4, leafHash: h, proof: [], root: h });
    }, 'INDEX_OUT_OF_RANGE');
    assertThrowsCode(() => {
      verifyConsistency({ size1: bad, size2: 4, root1: h, root2: h, proof: [] });
    }, 'SIZE_INVALID');
    assertThrowsCode(() => inclusionProofRanges(0, bad), 'SIZE_INVALID');
  }
  assertThrowsCode(() => inclusionProof(0, []), 'INDEX_OUT_OF_RANGE');
  assertThrowsCode(() => inclusionProof(3, leaves(3, 1)), 'INDEX_OUT_OF_RANGE');
  assertThrowsCode(() => consistencyProof(0, leaves(3, 1)), 'SIZE_INVALID');
  assertThrowsCode(() => consistencyProof(4, leaves(3, 1)), 'SIZE_INVALID');
  assertThrowsCode(() => merkleRoot([new Uint8Array(31)]), 'HASH_INVALID');
  assertThrowsCode(() => {
    verifyInclusion({
      leafIndex: 0,
      treeSize: 1,
      leafHash: h,
      proof: [],
      root: new Uint8Array(0),
    });
  }, 'HASH_INVALID');
  assertThrowsCode(() => {
    verifyInclusion({
      leafIndex: 0,
      treeSize: 2,
      leafHash: h,
      proof: [new Uint8Array(33)],
      root: h,
    });
  }, 'PROOF_INVALID');
  assertThrowsCode(() => {
    verifyInclusion({ leafIndex: 0, treeSize: 2, leafHash: h, proof: [], root: h });
  }, 'PROOF_WRONG_LENGTH');
  assertThrowsCode(() => {
    verifyInclusion({ leafIndex: 0, treeSize: 1, leafHash: h, proof: [], root: nodeHash(h, h) });
  }, 'ROOT_MISMATCH');
  assertThrowsCode(() => {
    verifyConsistency({ size1: 3, size2: 2, root1: h, root2: h, proof: [] });
  }, 'SIZE_INVALID');
  assertThrowsCode(() => {
    verifyConsistency({ size1: 0, size2: 2, root1: emptyRoot(), root2: h, proof: [] });
  }, 'SIZE_INVALID');
  assertThrowsCode(() => {
    verifyConsistency({ size1: 1, size2: 2, root1: h, root2: h, proof: [] });
  }, 'PROOF_WRONG_LENGTH');
});

test('leaf and node hashing follow RFC 6962 domain separation', () => {
  const data = Buffer.from('hello');
  assert.deepEqual(
    leafHash(data),
    new Uint8Array(
      createHash('sha256')
        .update(Buffer.from([0]))
        .update(data)
        .digest(),
    ),
  );
  const l = leafHash(Buffer.from('l'));
  const r = leafHash(Buffer.from('r'));
  assert.deepEqual(
    nodeHash(l, r),
    new Uint8Array(
      createHash('sha256')
        .update(Buffer.from([1]))
        .update(l)
        .update(r)
        .digest(),
    ),
  );
  assert.notDeepEqual(nodeHash(l, r), nodeHash(r, l));
});
