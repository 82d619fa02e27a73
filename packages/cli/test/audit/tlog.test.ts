import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNoteKey, leafHash, noteSignerFromKey } from '@cairn/core';
import { sql } from '@cairn/db';
import type { Database } from '@cairn/db';
import { Ledger } from '@cairn/ledger';
import type { LedgerTables } from '@cairn/ledger';
import {
  forEachDatabase,
  readTlogLeaves as readLeaves,
  writeTlogLeaves as writeLeaves,
} from '@cairn/testkit';
import { dbArgs, run } from './helpers.js';

const LEAVES = 12;

/** A ledger of LEAVES signed records, each with a log entry; a tlog checkpoint at the end. */
async function seed(db: Database): Promise<{ tlogVkey: string; auditVkey: string }> {
  const t = generateNoteKey('cairn.example/tlog');
  const a = generateNoteKey('cairn.example/audit');
  const ledger = await Ledger.open({
    db,
    transparency: { signer: noteSignerFromKey(t.signerKey) },
    audit: { signer: noteSignerFromKey(a.signerKey) },
    checkpointIntervalMs: 0,
  });
  for (let i = 0; i < LEAVES; i++) {
    await ledger.record({
      audit: {
        time: new Date(Date.UTC(2025, 5, 1, 12, 0, i)),
        actor: 'ci-bot',
        authMethod: 'token',
        clientAddress: '192.0.2.7',
        action: 'sign',
        worker: 'fw',
        decision: 'allowed',
        details: { i },
      },
      logEntry: new TextEncoder().encode(`envelope ${i}`),
    });
  }
  await ledger.transparency.checkpoint();
  await ledger.audit.checkpoint();
  await ledger.close();
  return { tlogVkey: t.verifierKey, auditVkey: a.verifierKey };
}

interface TlogJson {
  ok: boolean;
  audit: { ok: boolean; size?: number };
  tlog: {
    ok: boolean;
    size?: number;
    root?: string;
    checkpointsChecked?: number;
    signaturesChecked?: boolean;
    code?: string;
    index?: number | null;
    details?: Record<string, unknown>;
  };
}

forEachDatabase('cairn audit verify: the transparency log', async (db, t, config) => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-cli-tlog-'));
  try {
    const keys = await seed(db);
    const tlogKey = join(dir, 'tlog.vkey');
    const auditKey = join(dir, 'audit.vkey');
    writeFileSync(tlogKey, `${keys.tlogVkey}\n`);
    writeFileSync(auditKey, `${keys.auditVkey}\n`);
    const cpFile = join(dir, 'tlog.checkpoint');
    const k = db.typed<LedgerTables>();
    const original = await readLeaves(k);
    const verify = (...extra: string[]) =>
      run([
        'audit',
        'verify',
        ...dbArgs(config),
        '--log-key',
        auditKey,
        '--tlog-key',
        tlogKey,
        '--tlog-checkpoint',
        cpFile,
        ...extra,
      ]);

    await t.test('export-checkpoint --log tlog writes the signed tree head', async () => {
      const r = await run([
        'audit',
        'export-checkpoint',
        ...dbArgs(config),
        '--log',
        'tlog',
        '-o',
        cpFile,
      ]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /transparency log checkpoint of size 12/);
      assert.match(readFileSync(cpFile, 'utf8'), /^cairn\.example\/tlog\n12\n/);
      const bad = await run([
        'audit',
        'export-checkpoint',
        ...dbArgs(config),
        '--log',
        'nodes',
        '-o',
        cpFile,
      ]);
      assert.equal(bad.code, 2);
    });

    await t.test('an intact log exits 0 and reports its size and root', async () => {
      const r = await verify();
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^audit log intact: 12 records/m);
      const m =
        /^transparency log intact: 12 leaves, root ([0-9a-f]{64}), 2 checkpoint\(s\) matched \(signatures verified\)$/m.exec(
          r.out,
        );
      assert.ok(m, r.out);
      // The root printed is the one the exported checkpoint signed (its third line).
      const signedRoot = Buffer.from(readFileSync(cpFile, 'utf8').split('\n')[2]!, 'base64');
      assert.equal(m[1], signedRoot.toString('hex'));

      const j = await verify('--json');
      assert.equal(j.code, 0, j.err);
      const parsed = JSON.parse(j.out) as TlogJson;
      assert.equal(parsed.ok, true);
      assert.equal(parsed.audit.ok, true);
      assert.deepEqual(parsed.tlog, {
        ok: true,
        size: 12,
        root: signedRoot.toString('hex'),
        checkpointsChecked: 2,
        signaturesChecked: true,
      });
    });

    await t.test('--only selects one log; options of the other are refused', async () => {
      const r = await run(['audit', 'verify', ...dbArgs(config), '--only', 'tlog']);
      assert.equal(r.code, 0, r.err);
      assert.doesNotMatch(r.out, /audit log/);
      assert.match(
        r.out,
        /transparency log intact: 12 leaves.*signatures NOT checked: pass --tlog-key/,
      );
      const a = await run(['audit', 'verify', ...dbArgs(config), '--only', 'audit', '--json']);
      assert.equal(a.code, 0, a.err);
      assert.equal((JSON.parse(a.out) as Partial<TlogJson>).tlog, undefined);
      const clash = await run([
        'audit',
        'verify',
        ...dbArgs(config),
        '--only',
        'audit',
        '--tlog-checkpoint',
        cpFile,
      ]);
      assert.equal(clash.code, 2);
      assert.match(clash.err, /--tlog-checkpoint is for the transparency log/);
      const bogus = await run(['audit', 'verify', ...dbArgs(config), '--only', 'both']);
      assert.equal(bogus.code, 2);
      const badKey = await run(['audit', 'verify', ...dbArgs(config), '--tlog-key', 'nonsense']);
      assert.equal(badKey.code, 2);
      assert.match(badKey.err, /--tlog-key is neither a note verifier key/);
    });

    await t.test(
      'a wrong tlog key or an audit checkpoint given as tlog one is refused',
      async () => {
        const other = generateNoteKey('cairn.example/tlog').verifierKey;
        const r = await run([
          'audit',
          'verify',
          ...dbArgs(config),
          '--tlog-key',
          other,
          '--tlog-checkpoint',
          cpFile,
        ]);
        assert.equal(r.code, 1);
        assert.match(r.err, /transparency log FAILED CHECKPOINT_INVALID/);
        assert.match(r.out, /audit log intact/, 'the audit log is still reported');
        const auditCp = join(dir, 'audit.checkpoint');
        const e = await run(['audit', 'export-checkpoint', ...dbArgs(config), '-o', auditCp]);
        assert.equal(e.code, 0, e.err);
        const mixed = await run([
          'audit',
          'verify',
          ...dbArgs(config),
          '--tlog-key',
          tlogKey,
          '--tlog-checkpoint',
          auditCp,
        ]);
        assert.equal(mixed.code, 1);
        assert.match(mixed.err, /exported checkpoint 1 was refused/);
      },
    );

    const tampered: [string, () => Promise<void>, number, RegExp][] = [
      [
        'an edited leaf',
        async () => {
          await sql`UPDATE ledger_tlog_leaves SET data = ${Buffer.from('forged')} WHERE idx = 4`.execute(
            k,
          );
        },
        4,
        /LEAF_HASH_MISMATCH: leaf 4's stored hash is not the hash of its data/,
      ],
      [
        'a deleted leaf',
        async () => {
          await sql`DELETE FROM ledger_tlog_leaves WHERE idx = 6`.execute(k);
        },
        6,
        /LEAF_MISSING: leaf 6 is missing/,
      ],
      [
        'two reordered leaves',
        () => {
          const l = [...original];
          [l[2], l[9]] = [l[9]!, l[2]!];
          return writeLeaves(k, l);
        },
        2,
        /NODE_MISMATCH: leaf 2 is out of order: the leaf appended as 2 is stored at 9/,
      ],
      [
        'an inserted leaf (the later ones renumbered)',
        () => {
          const data = new TextEncoder().encode('envelope never signed');
          return writeLeaves(k, [
            ...original.slice(0, 5),
            { data, leaf_hash: leafHash(data) },
            ...original.slice(5),
          ]);
        },
        5,
        /NODE_MISMATCH: leaf 5 was inserted/,
      ],
    ];
    for (const [name, tamper, index, message] of tampered) {
      await t.test(`${name} exits 1 and is named`, async () => {
        await tamper();
        try {
          const r = await verify();
          assert.equal(r.code, 1);
          assert.match(r.err, /^cairn audit verify: transparency log FAILED /m);
          assert.match(r.err, message);
          assert.match(r.out, /audit log intact: 12 records/);
          const j = await verify('--json');
          assert.equal(j.code, 1);
          const parsed = JSON.parse(j.out) as TlogJson;
          assert.equal(parsed.ok, false);
          assert.equal(parsed.audit.ok, true);
          assert.equal(parsed.tlog.ok, false);
          assert.equal(parsed.tlog.index, index);
        } finally {
          await writeLeaves(k, original);
        }
        assert.equal((await verify()).code, 0, 'restored');
      });
    }

    await t.test('truncation is named against the exported checkpoint', async () => {
      // Leaves 8.. removed with their subtree hashes, stored checkpoints and size: the
      // database alone looks whole.
      await writeLeaves(k, original.slice(0, 8));
      await sql`DELETE FROM ledger_tlog_nodes WHERE (idx + 1) * power(2, level) > 8`.execute(k);
      await sql`DELETE FROM ledger_checkpoints WHERE log = 'tlog'`.execute(k);
      const blind = await run(['audit', 'verify', ...dbArgs(config), '--tlog-key', tlogKey]);
      assert.equal(blind.code, 0, 'without the exported checkpoint the shorter log looks whole');
      assert.match(blind.out, /transparency log intact: 8 leaves/);
      const r = await verify();
      assert.equal(r.code, 1);
      assert.match(
        r.err,
        /transparency log FAILED CHECKPOINT_MISMATCH: leaf 8 and later were removed \(truncated\): the log has 8 leaves but exported checkpoint 1 covers 12/,
      );
      const j = JSON.parse((await verify('--json')).out) as TlogJson;
      assert.equal(j.tlog.index, 8);
      assert.deepEqual(j.tlog.details, { index: 8, size: 12, change: 'truncated' });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
