import assert from 'node:assert/strict';
import { assertRejectsCode, forEachDatabase } from '@cairn/testkit';
import { createWorker, harness, OTHER_CLASS, release } from '../helpers/stack.js';

forEachDatabase(
  'policy: lower/equal sequence, unlisted product, usage limit, key and certificate validity are refused and audited',
  async (db) => {
    let offset = 0;
    const h = await harness(db, { clock: () => new Date(Date.now() + offset) });
    try {
      await createWorker(h, 'fw', { keyUsageLimit: 3 });
      const ci = await h.token([{ role: 'signer', worker: '*' }], 'ci');
      const sign = (body: Record<string, unknown>, worker = 'fw') =>
        h.call('POST', `/api/v1/workers/${worker}/sign`, ci, body);
      const lastAudit = async () => {
        const { size } = await h.stack.ledger.audit.head();
        return (await h.stack.ledger.audit.records(size - 1, size))[0]!;
      };

      assert.equal((await sign(release(7))).status, 200);
      for (const seq of [7, 6]) {
        const r = await sign(release(seq));
        assert.equal(r.status, 409, r.text);
        assert.equal(r.json['error'], 'SEQUENCE_NOT_INCREASING');
        const rec = await lastAudit();
        assert.equal(rec.decision, 'denied');
        assert.match(rec.reason ?? '', /SEQUENCE_NOT_INCREASING/);
        assert.equal(rec.worker, 'fw');
      }
      const unlisted = await sign(release(8, undefined, OTHER_CLASS));
      assert.equal(unlisted.status, 403);
      assert.equal(unlisted.json['error'], 'PRODUCT_NOT_ALLOWED');
      assert.equal((await lastAudit()).decision, 'denied');

      assert.equal((await sign(release(8))).status, 200);
      assert.equal((await sign(release(9))).status, 200);
      const over = await sign(release(10));
      assert.equal(over.status, 403, over.text);
      assert.equal(over.json['error'], 'KEY_USAGE_EXCEEDED');
      assert.match((await lastAudit()).reason ?? '', /KEY_USAGE_EXCEEDED/);

      // key validity window
      await createWorker(h, 'old', { keyNotAfter: new Date(Date.now() + 60_000).toISOString() });
      assert.equal((await sign(release(1), 'old')).status, 200);
      offset = 120_000;
      const expired = await sign(release(2), 'old');
      assert.equal(expired.status, 403);
      assert.equal(expired.json['error'], 'KEY_NOT_VALID');
      // certificate validity: checked against the leaf certificate (the domain call, as
      // every API token has expired by then)
      offset = 0;
      await createWorker(h, 'late', {});
      const lw = await h.stack.service.workers.load('late');
      offset = lw.certNotAfter.getTime() - Date.now() + 60_000;
      await assertRejectsCode(
        () =>
          h.stack.service.sign(
            { principal: { id: 'test', method: 'none', grants: [] }, clientAddress: '127.0.0.1' },
            'late',
            release(1) as never,
          ),
        'CERTIFICATE_NOT_VALID',
      );
      offset = 0;

      // bad input: 400 naming every bad field
      const bad = await sign({
        vendorId: 'nope',
        classId: 'x',
        version: '',
        sequence: -1,
        components: [{ id: 'a', sha256: 'zz', size: -1 }],
      });
      assert.equal(bad.status, 400);
      for (const f of [
        'vendorId',
        'classId',
        'version',
        'sequence',
        'components.0.sha256',
        'components.0.size',
      ])
        assert.ok(
          (bad.json['issues'] as { path: string }[]).some((i) => i.path.startsWith(f)),
          `${f} not named: ${bad.text}`,
        );
      assert.equal((await lastAudit()).decision, 'failed');
    } finally {
      await h.close();
    }
  },
);
