// Appends/s of ledger.record({ audit, logEntry }) (one audit record + one transparency
// log entry, atomically, durable on resolve) with 1, 16 and 256 concurrent callers,
// beside a baseline of raw single-row INSERT transactions in the same run.
// SQLite: a file in a temp dir (WAL, synchronous=FULL). PostgreSQL: $CAIRN_TEST_PG or
// the local test db, in a throwaway schema.
// Run: npx tsc -b packages/ledger/test && node packages/ledger/dist/test/bench/ledger.bench.js
// Cell length: CAIRN_BENCH_MS (default 3000 ms).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNoteKey, noteSignerFromKey } from '@cairn/core';
import { openDatabase, sql } from '@cairn/db';
import type { DatabaseConfig } from '@cairn/db';
import { Ledger } from '@cairn/ledger';
import type { AuditRecordInput } from '@cairn/ledger';
import { postgresAvailable, testPostgresUrl } from '@cairn/testkit';

const CELL_MS = Number(process.env['CAIRN_BENCH_MS'] ?? 3000);
const CONCURRENCY = [1, 16, 256];

function record(n: number): AuditRecordInput {
  return {
    time: new Date(),
    actor: 'ci-bot',
    authMethod: 'token',
    clientAddress: '192.0.2.1',
    action: 'sign',
    worker: 'fw-prod',
    keyLabel: 'fw-key',
    requestDigest: `sha256:${n.toString(16).padStart(64, '0')}`,
    responseDigest: `sha256:${'cd'.repeat(32)}`,
    decision: 'allowed',
  };
}

async function rate(concurrency: number, op: (n: number) => Promise<unknown>): Promise<number> {
  const start = Date.now();
  const end = start + CELL_MS;
  let n = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) await op(n++);
    }),
  );
  return n / ((Date.now() - start) / 1000);
}

async function bench(name: string, config: DatabaseConfig): Promise<string[]> {
  const rows: string[] = [];
  const db = await openDatabase(config);
  try {
    await sql`CREATE TABLE bench_raw (id BIGINT PRIMARY KEY, body TEXT NOT NULL)`.execute(
      db.typed(),
    );
    let id = 0;
    for (const c of CONCURRENCY) {
      const r = await rate(c, () =>
        db.transaction(
          async (trx) => {
            await sql`INSERT INTO bench_raw (id, body) VALUES (${id++}, ${'x'.repeat(300)})`.execute(
              trx,
            );
          },
          { isolation: 'read committed' },
        ),
      );
      rows.push(`| ${name} | raw INSERT txn (baseline) | ${c} | ${Math.round(r)} | — |`);
    }
    const ledger = await Ledger.open({
      db,
      transparency: { signer: noteSignerFromKey(generateNoteKey('bench/tlog').signerKey) },
      audit: { signer: noteSignerFromKey(generateNoteKey('bench/audit').signerKey) },
      checkpointIntervalMs: 0,
    });
    for (const c of CONCURRENCY) {
      const before = ledger.stats();
      const r = await rate(c, (n) =>
        ledger.record({ audit: record(n), logEntry: randomBytes(400) }),
      );
      const after = ledger.stats();
      const perBatch = (after.operations - before.operations) / (after.batches - before.batches);
      rows.push(
        `| ${name} | ledger.record (audit + log entry) | ${c} | ${Math.round(r)} | ${perBatch.toFixed(1)} |`,
      );
    }
    await ledger.close();
  } finally {
    await db.close();
  }
  return rows;
}

const dir = mkdtempSync(join(tmpdir(), 'cairn-ledger-bench-'));
const out = [
  '| database | operation | concurrent callers | ops/s | ops per transaction |',
  '|---|---|---|---|---|',
];
try {
  out.push(
    ...(await bench('SQLite (WAL, sync=FULL)', { dialect: 'sqlite', path: join(dir, 'bench.db') })),
  );
  if (await postgresAvailable()) {
    const schema = `bench_${randomBytes(6).toString('hex')}`;
    try {
      out.push(
        ...(await bench('PostgreSQL', {
          dialect: 'postgres',
          connectionString: testPostgresUrl(),
          schema,
        })),
      );
    } finally {
      const admin = await openDatabase({
        dialect: 'postgres',
        connectionString: testPostgresUrl(),
        poolSize: 1,
      });
      await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(admin.typed());
      await admin.close();
    }
  } else {
    out.push('| PostgreSQL | (not reachable: skipped) | | | |');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(out.join('\n'));
