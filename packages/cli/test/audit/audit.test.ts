import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNoteKey, noteSignerFromKey } from '@cairn/core';
import { sql } from '@cairn/db';
import type { Database } from '@cairn/db';
import { Ledger } from '@cairn/ledger';
import { forEachDatabase } from '@cairn/testkit';
import { dbArgs, run } from './helpers.js';

async function seed(db: Database): Promise<string> {
  const t = generateNoteKey('cairn.example/tlog');
  const a = generateNoteKey('cairn.example/audit');
  const ledger = await Ledger.open({
    db,
    transparency: { signer: noteSignerFromKey(t.signerKey) },
    audit: { signer: noteSignerFromKey(a.signerKey) },
    checkpointIntervalMs: 0,
  });
  for (let i = 0; i < 10; i++) {
    await ledger.record({
      audit: {
        time: new Date(Date.UTC(2025, 5, 1, 12, 0, i)),
        actor: 'ci-bot',
        authMethod: 'token',
        clientAddress: '192.0.2.7',
        action: 'sign',
        worker: 'fw',
        decision: i === 4 ? 'denied' : 'allowed',
        details: { i },
      },
      logEntry: new TextEncoder().encode(`envelope ${i}`),
    });
  }
  await ledger.audit.checkpoint();
  await ledger.close();
  return a.verifierKey;
}

forEachDatabase('cairn audit verify / export-checkpoint', async (db, t, config) => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-cli-audit-'));
  try {
    const vkey = await seed(db);
    const keyFile = join(dir, 'audit.vkey');
    writeFileSync(keyFile, `${vkey}\n`);
    const cpFile = join(dir, 'audit.checkpoint');
    const k = db.typed();

    await t.test('export-checkpoint writes the signed note', async () => {
      const r = await run(['audit', 'export-checkpoint', ...dbArgs(config), '-o', cpFile]);
      assert.equal(r.code, 0, r.err);
      assert.match(readFileSync(cpFile, 'utf8'), /^cairn\.example\/audit\n10\n/);
    });

    await t.test('an intact log verifies (exit 0)', async () => {
      const r = await run([
        'audit',
        'verify',
        ...dbArgs(config),
        '--checkpoint',
        cpFile,
        '--log-key',
        keyFile,
      ]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /intact: 10 records.*signatures verified/);
    });

    await t.test('a wrong log key is refused (exit 1)', async () => {
      const other = generateNoteKey('cairn.example/audit').verifierKey;
      const r = await run([
        'audit',
        'verify',
        ...dbArgs(config),
        '--checkpoint',
        cpFile,
        '--log-key',
        other,
      ]);
      assert.equal(r.code, 1);
      assert.match(r.err, /CHECKPOINT_INVALID/);
    });

    await t.test('an edited record is named (exit 1, text and --json)', async () => {
      await sql`UPDATE ledger_audit SET decision = 'allowed' WHERE seq = 4`.execute(k);
      const r = await run(['audit', 'verify', ...dbArgs(config), '--log-key', keyFile]);
      assert.equal(r.code, 1);
      assert.match(r.err, /FAILED RECORD_EDITED: audit record 4 was edited/);
      const j = await run(['audit', 'verify', ...dbArgs(config), '--json']);
      assert.equal(j.code, 1);
      const parsed = JSON.parse(j.out) as {
        ok: boolean;
        audit: { ok: boolean; code: string; seq: number };
        tlog: { ok: boolean; size: number };
      };
      assert.equal(parsed.ok, false);
      assert.deepEqual((({ ok, code, seq }) => ({ ok, code, seq }))(parsed.audit), {
        ok: false,
        code: 'RECORD_EDITED',
        seq: 4,
      });
      assert.deepEqual(
        (({ ok, size }) => ({ ok, size }))(parsed.tlog),
        { ok: true, size: 10 },
        'the transparency log is verified and reported too',
      );
      await sql`UPDATE ledger_audit SET decision = 'denied' WHERE seq = 4`.execute(k);
    });

    await t.test('truncation is named against the exported checkpoint', async () => {
      await sql`DELETE FROM ledger_audit WHERE seq >= 7`.execute(k);
      const head = await sql<{
        hash: Uint8Array;
      }>`SELECT hash FROM ledger_audit WHERE seq = 6`.execute(k);
      await sql`UPDATE ledger_logs SET size = 7, head = ${head.rows[0]!.hash} WHERE name = 'audit'`.execute(
        k,
      );
      await sql`DELETE FROM ledger_checkpoints WHERE log = 'audit'`.execute(k);
      const blind = await run(['audit', 'verify', ...dbArgs(config), '--log-key', keyFile]);
      assert.equal(blind.code, 0, 'without the exported checkpoint the shorter log looks whole');
      const r = await run([
        'audit',
        'verify',
        ...dbArgs(config),
        '--checkpoint',
        cpFile,
        '--log-key',
        keyFile,
      ]);
      assert.equal(r.code, 1);
      assert.match(r.err, /LOG_TRUNCATED: audit record 7 and later were removed/);
    });

    await t.test('usage and environment errors', async () => {
      assert.equal((await run(['audit', 'verify'])).code, 2);
      assert.equal((await run(['audit', 'verify', '--db', join(dir, 'nope.db')])).code, 3);
      const empty = join(dir, 'empty.db');
      writeFileSync(empty, '');
      const noLedger = await run(['audit', 'verify', '--db', empty]);
      assert.equal(noLedger.code, 3, noLedger.err);
      assert.match(noLedger.err, /NOT_A_LEDGER|no ledger/i);
      const badKey = await run(['audit', 'verify', ...dbArgs(config), '--log-key', 'nonsense']);
      assert.equal(badKey.code, 2);
      assert.equal((await run(['audit', 'export-checkpoint', ...dbArgs(config)])).code, 2);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
