// RFC 6962 proof vectors from transparency-dev/merkle `testdata/` (Apache-2.0), in
// ../shared/vectors/merkle: every happy path verifies, every `wantErr` is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MerkleError, verifyConsistency, verifyInclusion } from '@cairn/core';
import { listVectorFiles, vectorPath } from '@cairn/testkit';

const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

function load(sub: string, file: string): unknown {
  return JSON.parse(readFileSync(vectorPath(sub, file), 'utf8'));
}

function outcome(fn: () => void): MerkleError | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    assert.ok(err instanceof MerkleError, `expected a MerkleError, got ${String(err)}`);
    return err;
  }
}

const inclusionFiles = listVectorFiles('merkle/inclusion');
const consistencyFiles = listVectorFiles('merkle/consistency');

test('the vector folders hold the expected number of files', () => {
  assert.ok(inclusionFiles.length >= 90, `only ${inclusionFiles.length} inclusion vectors`);
  assert.ok(consistencyFiles.length >= 90, `only ${consistencyFiles.length} consistency vectors`);
});

for (const file of inclusionFiles) {
  test(`inclusion vector ${file}`, () => {
    const v = load('merkle/inclusion', file) as InclusionVector;
    const err = outcome(() => {
      verifyInclusion({
        leafIndex: v.leafIdx,
        treeSize: v.treeSize,
        leafHash: b64(v.leafHash),
        proof: (v.proof ?? []).map(b64),
        root: b64(v.root),
      });
    });
    if (v.wantErr) assert.ok(err, `${v.desc}: expected rejection`);
    else assert.equal(err, undefined, `${v.desc}: ${err?.message ?? ''}`);
  });
}

for (const file of consistencyFiles) {
  test(`consistency vector ${file}`, () => {
    const v = load('merkle/consistency', file) as ConsistencyVector;
    const err = outcome(() => {
      verifyConsistency({
        size1: v.size1,
        size2: v.size2,
        root1: b64(v.root1),
        root2: b64(v.root2),
        proof: (v.proof ?? []).map(b64),
      });
    });
    if (v.wantErr) assert.ok(err, `${v.desc}: expected rejection`);
    else assert.equal(err, undefined, `${v.desc}: ${err?.message ?? ''}`);
  });
}
