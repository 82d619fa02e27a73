import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import {
  ed25519NoteVerifier,
  parseTlogProof,
  readFirmwareManifest,
  verifyConsistency,
  verifyEnvelope,
  verifyInclusion,
  verifyTlogProof,
  leafHash,
} from '@cairn/core';
import { forEachDatabase } from '@cairn/testkit';
import { createWorker, harness, release } from '../helpers/stack.js';

forEachDatabase('sign: envelope verifies, is in the log, proofs verify with core', async (db) => {
  const h = await harness(db);
  try {
    await createWorker(h, 'fw');
    const signer = await h.token([{ role: 'signer', worker: 'fw' }], 'ci');
    const res = await h.call('POST', '/api/v1/workers/fw/sign', signer, release(5));
    assert.equal(res.status, 200, res.text);
    const envelope = Buffer.from(res.json['envelope'] as string, 'base64');
    const worker = await h.stack.service.workers.load('fw');
    const key = createPublicKey({
      key: Buffer.from(worker.signer.publicKey),
      format: 'der',
      type: 'spki',
    });
    const v = verifyEnvelope(envelope, { keys: [key] });
    assert.equal(v.x5chain?.length, 2);
    const m = readFirmwareManifest(v.manifest);
    assert.equal(m.sequenceNumber, 5n);
    assert.equal(m.components[0]!.size, 1024);
    // tlog-proof verifies against the log key
    const logKey = await h.keys.get('cairn-log');
    const verifier = ed25519NoteVerifier('cairn.example/tlog', logKey.publicKey.subarray(-32));
    const proof = parseTlogProof(res.json['tlogProof'] as string);
    assert.equal(proof.index, res.json['index']);
    const verified = verifyTlogProof(res.json['tlogProof'] as string, { data: envelope }, verifier);
    assert.ok(verified);
    const byRoute = await h.call(
      'GET',
      `/api/v1/log/tlog-proof/${String(res.json['index'])}`,
      h.admin,
    );
    assert.equal(byRoute.status, 200, byRoute.text);
    assert.ok(verifyTlogProof(byRoute.text, { data: envelope }, verifier));
    const beyond = await h.call('GET', '/api/v1/log/tlog-proof/5', h.admin);
    assert.equal(beyond.status, 404, beyond.text);
    assert.match(beyond.text, /no entry 5/);
    const incl = await h.call(
      'GET',
      `/api/v1/log/proof/inclusion?index=${String(res.json['index'])}`,
      h.admin,
    );
    assert.equal(incl.status, 200, incl.text);
    verifyInclusion({
      leafIndex: incl.json['index'] as number,
      treeSize: incl.json['treeSize'] as number,
      leafHash: leafHash(envelope),
      proof: (incl.json['proof'] as string[]).map((x) => Buffer.from(x, 'hex')),
      root: Buffer.from(incl.json['rootHash'] as string, 'hex'),
    });
    // a second signature, then a consistency proof 1 -> 2
    const res2 = await h.call('POST', '/api/v1/workers/fw/sign', signer, release('auto'));
    assert.equal(res2.status, 200, res2.text);
    assert.equal(res2.json['sequenceNumber'], '6');
    const cons = await h.call('GET', '/api/v1/log/proof/consistency?first=1&second=2', h.admin);
    assert.equal(cons.status, 200, cons.text);
    verifyConsistency({
      size1: 1,
      size2: 2,
      root1: Buffer.from(cons.json['root1'] as string, 'hex'),
      root2: Buffer.from(cons.json['root2'] as string, 'hex'),
      proof: (cons.json['proof'] as string[]).map((x) => Buffer.from(x, 'hex')),
    });
  } finally {
    await h.close();
  }
});
