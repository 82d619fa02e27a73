import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { fromDbJson, toDbJson } from '@cairn/db';
import type { SignerTables } from '@cairn/signer';
import { forEachDatabase } from '@cairn/testkit';
import { CLASS, harness, release, VENDOR } from '../helpers/stack.js';
import type { Harness } from '../helpers/stack.js';

function createOn(h: Harness, name: string, keyLabel: string, formats: string[]) {
  return h.call('POST', '/api/v1/workers', h.admin, {
    name,
    keyLabel,
    products: [{ vendorId: VENDOR, classId: CLASS }],
    formats,
  });
}

forEachDatabase(
  "key/format policy: one key never serves both 'suit' and 'raw-digest' workers (refused, audited, checked again on use)",
  async (db) => {
    const h = await harness(db);
    try {
      await h.keys.generate('fw-key', 'ecdsa-p256');
      await h.keys.generate('digest-key', 'ecdsa-p256');
      const lastAudit = async () => {
        const { size } = await h.stack.ledger.audit.head();
        return (await h.stack.ledger.audit.records(size - 1, size))[0]!;
      };

      // one worker asking for both formats on its key
      const both = await createOn(h, 'both', 'fw-key', ['suit', 'raw-digest']);
      assert.equal(both.status, 409, both.text);
      assert.equal(both.json['error'], 'KEY_FORMAT_CONFLICT');
      assert.match(both.json['message'] as string, /both 'suit' and 'raw-digest'/);
      const rec = await lastAudit();
      assert.equal(rec.action, 'worker.create');
      assert.equal(rec.decision, 'denied');
      assert.match(rec.reason ?? '', /KEY_FORMAT_CONFLICT/);

      // a suit worker, then a raw-digest worker on the same key: refused, naming both
      assert.equal((await createOn(h, 'fw', 'fw-key', ['suit'])).status, 201);
      const shared = await createOn(h, 'raw', 'fw-key', ['raw-digest']);
      assert.equal(shared.status, 409, shared.text);
      assert.equal(shared.json['error'], 'KEY_FORMAT_CONFLICT');
      assert.match(shared.json['message'] as string, /key 'fw-key' already serves worker 'fw'/);
      // the same format may share a key; another format needs another key
      assert.equal((await createOn(h, 'fw2', 'fw-key', ['suit'])).status, 201);
      assert.equal((await createOn(h, 'raw', 'digest-key', ['raw-digest'])).status, 201);
      // and the other way round: a suit worker on a raw-digest key
      const back = await createOn(h, 'fw3', 'digest-key', ['suit']);
      assert.equal(back.status, 409, back.text);
      assert.match(back.json['message'] as string, /already serves worker 'raw'/);
      // the domain call refuses it too (not only the HTTP edge)
      await assert.rejects(
        h.stack.service.workers.create({
          name: 'fw4',
          keyLabel: 'digest-key',
          products: [{ vendorId: VENDOR, classId: CLASS }],
          formats: ['suit'],
        }),
        (e: unknown) => e instanceof Error && 'code' in e && e.code === 'KEY_FORMAT_CONFLICT',
      );
      const names = (await h.stack.service.workers.list()).map((w) => w.name);
      assert.deepEqual(names, ['fw', 'fw2', 'raw']);

      // concurrent creations cannot both pass the check
      await h.keys.generate('race-key', 'ecdsa-p256');
      const raced = await Promise.all([
        createOn(h, 'race-a', 'race-key', ['suit']),
        createOn(h, 'race-b', 'race-key', ['raw-digest']),
      ]);
      assert.deepEqual(raced.map((r) => r.status).sort(), [201, 409]);

      // a conflicting worker stored before the rule existed cannot sign
      const k = h.stack.service.db.typed<SignerTables>();
      const row = await k
        .selectFrom('signer_workers')
        .selectAll()
        .where('name', '=', 'fw')
        .executeTakeFirstOrThrow();
      const legacy = { ...(fromDbJson(row.config) as object), name: 'legacy' };
      await k
        .insertInto('signer_workers')
        .values({
          ...row,
          name: 'legacy',
          config: toDbJson({ ...legacy, formats: ['raw-digest'] }),
        })
        .execute();
      const ci = await h.token([{ role: 'signer', worker: '*' }], 'ci');
      const digest = createHash('sha256').update('any manifest digest').digest('hex');
      const raw = await h.call('POST', '/api/v1/workers/legacy/sign-digest', ci, { digest });
      assert.equal(raw.status, 409, raw.text);
      assert.equal(raw.json['error'], 'KEY_FORMAT_CONFLICT');
      assert.match((await lastAudit()).reason ?? '', /KEY_FORMAT_CONFLICT/);
      // ...nor can the suit worker whose key it shares
      const fw = await h.call('POST', '/api/v1/workers/fw/sign', ci, release(1));
      assert.equal(fw.status, 409, fw.text);
      assert.equal(fw.json['error'], 'KEY_FORMAT_CONFLICT');
      // the workers that follow the rule keep signing
      assert.equal(
        (await h.call('POST', '/api/v1/workers/raw/sign-digest', ci, { digest })).status,
        200,
      );
    } finally {
      await h.close();
    }
  },
);
