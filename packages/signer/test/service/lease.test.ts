import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sql, toDbTimestamp } from '@cairn/db';
import { SignerService } from '@cairn/signer';
import { assertRejectsCode, forEachDatabase } from '@cairn/testkit';
import { createWorker, harness, release } from '../helpers/stack.js';

forEachDatabase(
  'one signer per database: a second is refused while the first lives; taken over when it is closed, dead or stale; a signer whose lease was taken stops signing',
  async (db) => {
    const h = await harness(db);
    const open = (): Promise<SignerService> =>
      SignerService.open({ db, keys: h.keys, ledger: h.stack.ledger, pki: h.stack.pki });
    const k = db.typed();
    const lease = async (): Promise<{ holder: string; pid: unknown; host: string }> => {
      const { rows } = await sql<{ holder: string; pid: unknown; host: string }>`
        SELECT holder, pid, host FROM signer_lease WHERE name = 'signer'`.execute(k);
      return rows[0]!;
    };
    try {
      await createWorker(h, 'fw');
      const ci = await h.token([{ role: 'signer', worker: 'fw' }], 'ci');
      assert.equal((await lease()).holder, h.stack.service.lease.holder);

      // a second signer while the first one lives: refused, naming the holder
      const busy = await assertRejectsCode(open, 'DATABASE_IN_USE');
      assert.match(busy.message, new RegExp(`pid ${process.pid} on `));
      assert.match(busy.message, /run one signer per database/);

      // another host's lease: refused while fresh, taken over once stale (30 s)
      const tenSecondsAgo = toDbTimestamp(Date.now() - 10_000);
      await sql`UPDATE signer_lease SET host = 'elsewhere', pid = 1, holder = 'other',
        heartbeat_at = ${tenSecondsAgo}`.execute(k);
      await assertRejectsCode(open, 'DATABASE_IN_USE');
      const stale = toDbTimestamp(Date.now() - 31_000);
      await sql`UPDATE signer_lease SET heartbeat_at = ${stale}`.execute(k);
      const second = await open();
      assert.equal((await lease()).holder, second.lease.holder);

      // the first signer notices at its next renewal and refuses to sign from then on
      await h.stack.service.lease.renew();
      assert.match(h.stack.service.lease.lost ?? '', /took this database over/);
      const refused = await h.call('POST', '/api/v1/workers/fw/sign', ci, release(1));
      assert.equal(refused.status, 503, refused.text);
      assert.equal(refused.json['error'], 'LEASE_LOST');
      assert.equal((await h.call('GET', '/readyz')).status, 503);

      // a holder on this host whose process is gone is taken over at once
      const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
      const here = (await lease()).host;
      await sql`UPDATE signer_lease SET pid = ${dead}, holder = 'crashed', host = ${here},
        heartbeat_at = ${toDbTimestamp(Date.now())}`.execute(k);
      const third = await open();
      assert.equal((await lease()).holder, third.lease.holder);

      // a closed signer gives the lease up; the next one starts at once
      await third.close();
      assert.equal((await sql`SELECT 1 FROM signer_lease`.execute(k)).rows.length, 0);
      const fourth = await open();
      await fourth.close();
      await second.close(); // its lease was taken: closing it leaves the row alone
    } finally {
      await h.close();
    }
  },
);
