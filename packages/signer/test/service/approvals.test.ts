import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { forEachDatabase } from '@cairn/testkit';
import { createWorker, harness, release } from '../helpers/stack.js';

forEachDatabase(
  'approvals: requester cannot approve, N distinct approvals sign, deny, expiry; all audited',
  async (db) => {
    let offset = 0;
    const h = await harness(db, { clock: () => new Date(Date.now() + offset) });
    try {
      await createWorker(h, 'prod', { approvals: 2, approvalTtlSeconds: 600 });
      // the requester also holds release-manager: still may not approve their own request
      const ci = await h.token(
        [
          { role: 'signer', worker: 'prod' },
          { role: 'release-manager', worker: 'prod' },
        ],
        'ci',
      );
      const rm1 = await h.token([{ role: 'release-manager', worker: 'prod' }], 'rm1');
      const rm2 = await h.token([{ role: 'release-manager', worker: '*' }], 'rm2');
      const rmOther = await h.token([{ role: 'release-manager', worker: 'other' }], 'rm-other');

      const req = await h.call('POST', '/api/v1/workers/prod/sign', ci, release(10));
      assert.equal(req.status, 202, req.text);
      const id = req.json['requestId'] as string;

      const self = await h.call('POST', `/api/v1/requests/${id}/approve`, ci, {});
      assert.equal(self.status, 403);
      assert.equal(self.json['error'], 'APPROVAL_NOT_ALLOWED');
      assert.equal(
        (await h.call('POST', `/api/v1/requests/${id}/approve`, rmOther, {})).status,
        403,
      );

      const a1 = await h.call('POST', `/api/v1/requests/${id}/approve`, rm1, {});
      assert.equal(a1.status, 200, a1.text);
      assert.equal(a1.json['status'], 'pending');
      const again = await h.call('POST', `/api/v1/requests/${id}/approve`, rm1, {});
      assert.equal(again.status, 403, 'the same principal cannot approve twice');
      const pending = await h.call('GET', `/api/v1/requests/${id}`, ci);
      assert.equal(pending.json['status'], 'pending');

      const a2 = await h.call('POST', `/api/v1/requests/${id}/approve`, rm2, {});
      assert.equal(a2.status, 200, a2.text);
      assert.equal(a2.json['status'], 'signed');
      const done = await h.call('GET', `/api/v1/requests/${id}`, ci);
      const result = done.json['result'] as Record<string, unknown>;
      assert.equal(result['sequenceNumber'], '10');
      assert.ok(typeof result['envelope'] === 'string' && typeof result['tlogProof'] === 'string');
      assert.equal((await h.call('POST', `/api/v1/requests/${id}/approve`, rm2, {})).status, 409);

      // the approving record carries the log entry
      const size = (await h.stack.ledger.audit.head()).size;
      const recs = await h.stack.ledger.audit.records(0, size);
      const signedBy = recs.filter(
        (r) =>
          r.action === 'approve' &&
          r.decision === 'allowed' &&
          r.responseDigest !== undefined &&
          r.keyLabel === 'prod-key',
      );
      assert.ok(signedBy.some((r) => r.actor.endsWith(':rm2')));
      assert.ok(
        recs.some(
          (r) => r.action === 'approve' && r.decision === 'denied' && r.actor.endsWith(':ci'),
        ),
      );

      // denial
      const r2 = await h.call('POST', '/api/v1/workers/prod/sign', ci, release(11));
      const id2 = r2.json['requestId'] as string;
      const d = await h.call('POST', `/api/v1/requests/${id2}/deny`, rm1, {
        comment: 'not tested',
      });
      assert.equal(d.status, 200, d.text);
      assert.equal(d.json['status'], 'denied');
      assert.equal((await h.call('POST', `/api/v1/requests/${id2}/approve`, rm2, {})).status, 409);

      // expiry
      const r3 = await h.call('POST', '/api/v1/workers/prod/sign', ci, release(12));
      const id3 = r3.json['requestId'] as string;
      offset = 601_000;
      const late = await h.call('POST', `/api/v1/requests/${id3}/approve`, rm1, {});
      assert.equal(late.status, 410, late.text);
      assert.equal((await h.call('GET', `/api/v1/requests/${id3}`, ci)).json['status'], 'expired');
      const list = await h.call('GET', '/api/v1/requests?status=expired', rm2);
      assert.ok((list.json['requests'] as { id: string }[]).some((r) => r.id === id3));
    } finally {
      await h.close();
    }
  },
);

forEachDatabase(
  'approvals on a raw-digest worker: pending until N distinct approvals, then the digest is signed and logged',
  async (db) => {
    const h = await harness(db);
    try {
      await createWorker(h, 'dig', { approvals: 2, approvalTtlSeconds: 600 }, ['raw-digest']);
      const ci = await h.token([{ role: 'signer', worker: 'dig' }], 'ci');
      const rm1 = await h.token([{ role: 'release-manager', worker: 'dig' }], 'rm1');
      const rm2 = await h.token([{ role: 'release-manager', worker: 'dig' }], 'rm2');
      const message = Buffer.from('bootloader image 7');
      const digest = createHash('sha256').update(message).digest('hex');

      const req = await h.call('POST', '/api/v1/workers/dig/sign-digest', ci, { digest });
      assert.equal(req.status, 202, req.text);
      assert.equal(req.json['status'], 'pending');
      assert.equal(req.json['signature'], undefined, 'nothing is signed before the approvals');
      const id = req.json['requestId'] as string;
      const shown = await h.call('GET', `/api/v1/requests/${id}`, ci);
      assert.equal(shown.json['kind'], 'digest');
      assert.equal(shown.json['digest'], digest);
      const before = await h.stack.ledger.transparency.size();

      assert.equal((await h.call('POST', `/api/v1/requests/${id}/approve`, ci, {})).status, 403);
      const a1 = await h.call('POST', `/api/v1/requests/${id}/approve`, rm1, {});
      assert.equal(a1.json['status'], 'pending', a1.text);
      assert.equal(await h.stack.ledger.transparency.size(), before, 'still unsigned');
      const a2 = await h.call('POST', `/api/v1/requests/${id}/approve`, rm2, {});
      assert.equal(a2.status, 200, a2.text);
      assert.equal(a2.json['status'], 'signed');

      const done = await h.call('GET', `/api/v1/requests/${id}`, ci);
      const result = done.json['result'] as Record<string, string | number>;
      const key = createPublicKey({
        key: Buffer.from((await h.keys.get('dig-key')).publicKey),
        format: 'der',
        type: 'spki',
      });
      const sig = Buffer.from(result['signature'] as string, 'base64');
      assert.ok(verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, sig));
      assert.equal(result['index'], before, 'the signature is the next log entry');
      assert.match(result['tlogProof'] as string, /^c2sp\.org\/tlog-proof@v1\n/);

      const size = (await h.stack.ledger.audit.head()).size;
      const recs = await h.stack.ledger.audit.records(0, size);
      // the approval that signed writes the record with the log entry (the other
      // approvals are audited as HTTP requests, without a key)
      const signing = recs.filter(
        (r) => r.action === 'approve' && r.decision === 'allowed' && r.keyLabel === 'dig-key',
      );
      assert.equal(signing.length, 1);
      const details = signing[0]!.details as Record<string, string>;
      assert.equal(details['requestId'], id);
      assert.equal(details['digest'], digest);
      assert.ok(signing[0]!.actor.endsWith(':rm2'));

      // denial: never signed
      const r2 = await h.call('POST', '/api/v1/workers/dig/sign-digest', ci, {
        digest: 'cd'.repeat(32),
      });
      const id2 = r2.json['requestId'] as string;
      const d = await h.call('POST', `/api/v1/requests/${id2}/deny`, rm1, {});
      assert.equal(d.json['status'], 'denied', d.text);
      assert.equal(await h.stack.ledger.transparency.size(), before + 1);
    } finally {
      await h.close();
    }
  },
);
