// Appends/s of ledger.record({ audit, logEntry }) (one audit record + one transparency
// log entry, atomically, durable on resolve) with 1, 16 and 256 concurrent callers,
// beside a baseline of raw single-row INSERT transactions in the same run.
// SQLite: a file in a temp dir (WAL, synchronous=FULL). PostgreSQL: $CAIRN_TEST_PG or
// the local test db, in a throwaway schema.
//
// Modes (--mode, comma-separated; default all):
//   record   ledger.record() alone
//   signer   ledger.record(), then a checkpoint covering the entry the way the signer's
//            ProofMaker gets one: transparency.checkpoint(), one in flight, shared by
//            every caller it covers (a second transaction, i.e. a second fsync)
//   inline   ledger opened with transparency.checkpointEachBatch: every batch signs and
//            stores its checkpoint in its own transaction; record() returns it
//
// Run: npx tsc -b packages/ledger/test && node packages/ledger/dist/test/bench/ledger.bench.js
//   --only sqlite|postgres     one database
//   --concurrency 1,16,256     concurrent callers per cell
//   --mode record,signer,inline
//   --statement-cache 256,0    SQLite statement cache sizes to compare (default: 256)
//   --no-baseline              skip the raw INSERT baseline
// Cell length: CAIRN_BENCH_MS (default 3000 ms).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateNoteKey, noteSignerFromKey } from '@cairn/core';
import { openDatabase, sql } from '@cairn/db';
import type { Database, DatabaseConfig } from '@cairn/db';
import { Ledger } from '@cairn/ledger';
import type { AuditRecordInput, RecordResult } from '@cairn/ledger';
import { postgresAvailable, testPostgresUrl } from '@cairn/testkit';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    concurrency: { type: 'string', default: '1,16,256' },
    mode: { type: 'string', default: 'record,signer,inline' },
    'statement-cache': { type: 'string', default: '256' },
    'no-baseline': { type: 'boolean', default: false },
  },
});
const CELL_MS = Number(process.env['CAIRN_BENCH_MS'] ?? 3000);
const CONCURRENCY = args.concurrency.split(',').map(Number);
const MODES = args.mode.split(',') as Mode[];
const CACHE_SIZES = args['statement-cache'].split(',').map(Number);
type Mode = 'record' | 'signer' | 'inline';
for (const m of MODES) {
  if (!['record', 'signer', 'inline'].includes(m)) throw new Error(`unknown --mode ${m}`);
}

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

interface Cell {
  readonly rate: number;
  /** Process CPU (user + system) per operation, µs. */
  readonly cpuUs: number;
}

async function measure(concurrency: number, op: (n: number) => Promise<unknown>): Promise<Cell> {
  const start = Date.now();
  const cpu = process.cpuUsage();
  const end = start + CELL_MS;
  let n = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) await op(n++);
    }),
  );
  const used = process.cpuUsage(cpu);
  return { rate: n / ((Date.now() - start) / 1000), cpuUs: (used.user + used.system) / n };
}

/** The signer's ProofMaker: one checkpoint() in flight, shared by all it covers. */
function checkpointSharer(ledger: Ledger): (index: number) => Promise<{ size: number }> {
  let latest: { size: number } | undefined;
  let inflight: Promise<{ size: number }> | undefined;
  return async (index) => {
    for (;;) {
      if (latest !== undefined && latest.size > index) return latest;
      if (inflight === undefined) {
        inflight = ledger.transparency
          .checkpoint()
          .then((cp) => {
            if (latest === undefined || cp.size > latest.size) latest = { size: cp.size };
            return latest;
          })
          .finally(() => {
            inflight = undefined;
          });
      }
      await inflight;
    }
  };
}

async function countCheckpoints(db: Database): Promise<number> {
  const { rows } = await sql<{
    n: bigint;
  }>`SELECT count(*) AS n FROM ledger_checkpoints WHERE log = 'tlog'`.execute(db.typed());
  return Number(rows[0]!.n);
}

const MODE_LABEL: Record<Mode, string> = {
  record: 'ledger.record (audit + log entry)',
  signer: 'record + checkpoint() after (signer today)',
  inline: 'record, checkpoint in the batch (checkpointEachBatch)',
};

async function bench(name: string, config: DatabaseConfig): Promise<string[]> {
  const rows: string[] = [];
  const db = await openDatabase(config);
  try {
    if (!args['no-baseline']) {
      await sql`CREATE TABLE bench_raw (id BIGINT PRIMARY KEY, body TEXT NOT NULL)`.execute(
        db.typed(),
      );
      let id = 0;
      for (const c of CONCURRENCY) {
        const r = await measure(c, () =>
          db.transaction(
            async (trx) => {
              await sql`INSERT INTO bench_raw (id, body) VALUES (${id++}, ${'x'.repeat(300)})`.execute(
                trx,
              );
            },
            { isolation: 'read committed' },
          ),
        );
        rows.push(
          `| ${name} | raw INSERT txn (baseline) | ${c} | ${Math.round(r.rate)} | — | ${Math.round(r.cpuUs)} |`,
        );
      }
    }
    for (const mode of MODES) {
      const ledger = await Ledger.open({
        db,
        transparency: {
          signer: noteSignerFromKey(generateNoteKey('bench/tlog').signerKey),
          ...(mode === 'inline' ? { checkpointEachBatch: true } : {}),
        },
        audit: { signer: noteSignerFromKey(generateNoteKey('bench/audit').signerKey) },
        checkpointIntervalMs: 0,
      });
      const covering = checkpointSharer(ledger);
      for (const c of CONCURRENCY) {
        const before = ledger.stats();
        const cps = await countCheckpoints(db);
        const r = await measure(c, async (n) => {
          const out: RecordResult = await ledger.record({
            audit: record(n),
            logEntry: randomBytes(400),
          });
          if (mode === 'signer') await covering(out.entry!.index);
          if (mode === 'inline' && !(out.checkpoint!.size > out.entry!.index)) {
            throw new Error('record() returned no checkpoint covering its entry');
          }
        });
        const after = ledger.stats();
        const batches = after.batches - before.batches;
        const perBatch = (after.operations - before.operations) / batches;
        const signed = (await countCheckpoints(db)) - cps;
        rows.push(
          `| ${name} | ${MODE_LABEL[mode]} | ${c} | ${Math.round(r.rate)} | ${perBatch.toFixed(1)} | ${Math.round(r.cpuUs)} | ${mode === 'record' ? '—' : (signed / batches).toFixed(2)} |`,
        );
      }
      await ledger.close();
    }
  } finally {
    await db.close();
  }
  return rows;
}

const dir = mkdtempSync(join(tmpdir(), 'cairn-ledger-bench-'));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(`load average before: ${load()}; ${CELL_MS} ms per cell`);
const out = [
  '| database | operation | concurrent callers | ops/s | ops per transaction | CPU µs/op | checkpoints per batch |',
  '|---|---|---|---|---|---|---|',
];
try {
  if (args.only === undefined || args.only === 'sqlite') {
    for (const size of CACHE_SIZES) {
      out.push(
        ...(await bench(`SQLite (WAL, sync=FULL), statement cache ${size}`, {
          dialect: 'sqlite',
          path: join(dir, `bench-${size}.db`),
          statementCacheSize: size,
        })),
      );
    }
  }
  if (args.only === undefined || args.only === 'postgres') {
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
      out.push('| PostgreSQL | (not reachable: skipped) | | | | | |');
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(out.join('\n'));
console.log(`load average after: ${load()}`);
