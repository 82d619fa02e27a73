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
// Every variant (database × statement cache × mode, and the --compare-with build) gets
// its own database file or schema, all open at once; cells run interleaved (for each
// concurrency, --repeat rounds over all variants) and each row gives the median, so a
// comparison sees the same machine load. Rows: ops/s median (min–max), process CPU
// (user + system) µs per op median, ops per transaction, checkpoints signed per batch.
//
// Run: npx tsc -b packages/ledger/test && node packages/ledger/dist/test/bench/ledger.bench.js
//   --only sqlite|postgres     one database
//   --concurrency 1,16,256     concurrent callers per cell
//   --mode record,signer,inline
//   --statement-cache 256,0    SQLite statement cache sizes to compare (default: 256)
//   --repeat 3                 interleaved rounds per cell (median reported)
//   --no-baseline              skip the raw INSERT baseline
//   --compare-with DIR         also run another build: DIR/@cairn/{db,ledger} each hold
//                              that build's package.json and dist/ (inline is skipped
//                              when that build has no checkpointEachBatch)
// Cell length: CAIRN_BENCH_MS (default 3000 ms).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateNoteKey, noteSignerFromKey } from '@cairn/core';
import * as currentDb from '@cairn/db';
import type { Database, DatabaseConfig } from '@cairn/db';
import * as currentLedger from '@cairn/ledger';
import type { AuditRecordInput, Ledger, RecordResult } from '@cairn/ledger';
import { postgresAvailable, testPostgresUrl } from '@cairn/testkit';

const { sql } = currentDb;
const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    concurrency: { type: 'string', default: '1,16,256' },
    mode: { type: 'string', default: 'record,signer,inline' },
    'statement-cache': { type: 'string', default: '256' },
    repeat: { type: 'string', default: '1' },
    'no-baseline': { type: 'boolean', default: false },
    'compare-with': { type: 'string' },
  },
});
const CELL_MS = Number(process.env['CAIRN_BENCH_MS'] ?? 3000);
const CONCURRENCY = args.concurrency.split(',').map(Number);
type Mode = 'record' | 'signer' | 'inline';
const MODES = args.mode.split(',') as Mode[];
for (const m of MODES) {
  if (!['record', 'signer', 'inline'].includes(m)) throw new Error(`unknown --mode ${m}`);
}
const CACHE_SIZES = args['statement-cache'].split(',').map(Number);
const REPEAT = Number(args.repeat);

interface Build {
  readonly label: string;
  readonly db: Pick<typeof currentDb, 'openDatabase'>;
  readonly ledger: Pick<typeof currentLedger, 'Ledger'>;
}
const builds: Build[] = [{ label: '', db: currentDb, ledger: currentLedger }];
if (args['compare-with'] !== undefined) {
  const dir = args['compare-with'];
  builds.unshift({
    label: ' [compared build]',
    db: (await import(join(dir, '@cairn/db/dist/index.js'))) as typeof currentDb,
    ledger: (await import(join(dir, '@cairn/ledger/dist/index.js'))) as typeof currentLedger,
  });
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
  readonly ops: number;
  readonly batches: number;
  readonly checkpoints: number;
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
  return {
    rate: n / ((Date.now() - start) / 1000),
    cpuUs: (used.user + used.system) / n,
    ops: n,
    batches: 0,
    checkpoints: 0,
  };
}

/** The signer's ProofMaker: one checkpoint() in flight, shared by all it covers. */
function checkpointSharer(ledger: Ledger): (index: number) => Promise<{ size: number }> {
  let latest: { size: number } | undefined;
  let inflight: Promise<{ size: number }> | undefined;
  return async (index) => {
    for (;;) {
      if (latest !== undefined && latest.size > index) return latest;
      inflight ??= ledger.transparency
        .checkpoint()
        .then((cp) => {
          if (latest === undefined || cp.size > latest.size) latest = { size: cp.size };
          return latest;
        })
        .finally(() => {
          inflight = undefined;
        });
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

const MODE_LABEL: Record<Mode | 'baseline', string> = {
  baseline: 'raw INSERT txn (baseline)',
  record: 'ledger.record (audit + log entry)',
  signer: 'record + checkpoint() after (signer today)',
  inline: 'record, checkpoint in the batch (checkpointEachBatch)',
};

interface Variant {
  readonly name: string;
  readonly mode: Mode | 'baseline';
  readonly run: (concurrency: number) => Promise<Cell>;
  readonly cells: Map<number, Cell[]>;
  readonly close: () => Promise<void>;
}

const variants: Variant[] = [];
const cleanups: (() => Promise<void>)[] = [];
const dir = mkdtempSync(join(tmpdir(), 'cairn-ledger-bench-'));
let files = 0;
const tlogKey = generateNoteKey('bench/tlog').signerKey;
const auditKey = generateNoteKey('bench/audit').signerKey;

function freshConfig(database: 'sqlite' | 'postgres', cache: number): DatabaseConfig {
  if (database === 'sqlite') {
    return {
      dialect: 'sqlite',
      path: join(dir, `bench-${files++}.db`),
      statementCacheSize: cache,
    };
  }
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  cleanups.push(async () => {
    const admin = await currentDb.openDatabase({
      dialect: 'postgres',
      connectionString: testPostgresUrl(),
      poolSize: 1,
    });
    await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(admin.typed());
    await admin.close();
  });
  return { dialect: 'postgres', connectionString: testPostgresUrl(), schema, poolSize: 4 };
}

async function addVariants(database: 'sqlite' | 'postgres', cache: number): Promise<void> {
  const dbName =
    database === 'sqlite' ? `SQLite (WAL, sync=FULL), statement cache ${cache}` : 'PostgreSQL';
  if (!args['no-baseline']) {
    const db = await currentDb.openDatabase(freshConfig(database, cache));
    await sql`CREATE TABLE bench_raw (id BIGINT PRIMARY KEY, body TEXT NOT NULL)`.execute(
      db.typed(),
    );
    let id = 0;
    variants.push({
      name: dbName,
      mode: 'baseline',
      cells: new Map(),
      close: () => db.close(),
      run: (c) =>
        measure(c, () =>
          db.transaction(
            async (trx) => {
              await sql`INSERT INTO bench_raw (id, body) VALUES (${id++}, ${'x'.repeat(300)})`.execute(
                trx,
              );
            },
            { isolation: 'read committed' },
          ),
        ),
    });
  }
  for (const build of builds) {
    for (const mode of MODES) {
      const db = await build.db.openDatabase(freshConfig(database, cache));
      const ledger = await build.ledger.Ledger.open({
        db,
        transparency: {
          signer: noteSignerFromKey(tlogKey),
          ...(mode === 'inline' ? { checkpointEachBatch: true } : {}),
        },
        audit: { signer: noteSignerFromKey(auditKey) },
        checkpointIntervalMs: 0,
      });
      const covering = checkpointSharer(ledger);
      if (mode === 'inline') {
        const probe = await ledger.record({ audit: record(0), logEntry: randomBytes(400) });
        if (probe.checkpoint === undefined) {
          console.log(
            `${dbName}${build.label}: no checkpointEachBatch in this build, inline skipped`,
          );
          await ledger.close();
          await db.close();
          continue;
        }
      }
      variants.push({
        // A compared build may predate statementCacheSize: do not claim it.
        name:
          build.label === ''
            ? dbName
            : `${database === 'sqlite' ? 'SQLite (WAL, sync=FULL)' : dbName}${build.label}`,
        mode,
        cells: new Map(),
        close: async () => {
          await ledger.close();
          await db.close();
        },
        run: async (c) => {
          const before = ledger.stats();
          const cps = await countCheckpoints(db);
          const cell = await measure(c, async (n) => {
            const out: RecordResult = await ledger.record({
              audit: record(n),
              logEntry: randomBytes(400),
            });
            if (mode === 'signer') await covering(out.entry!.index);
            if (mode === 'inline' && !(out.checkpoint!.size > out.entry!.index)) {
              throw new Error('record() returned no checkpoint covering its entry');
            }
          });
          return {
            ...cell,
            batches: ledger.stats().batches - before.batches,
            checkpoints: (await countCheckpoints(db)) - cps,
          };
        },
      });
    }
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(`load average before: ${load()}; ${CELL_MS} ms per cell, ${REPEAT} interleaved rounds`);
const out = [
  '| database | operation | callers | ops/s median (min–max) | CPU µs/op | ops per transaction | checkpoints per batch |',
  '|---|---|---:|---:|---:|---:|---:|',
];
try {
  if (args.only === undefined || args.only === 'sqlite') {
    for (const size of CACHE_SIZES) await addVariants('sqlite', size);
  }
  if (args.only === undefined || args.only === 'postgres') {
    if (await postgresAvailable()) await addVariants('postgres', 0);
    else out.push('| PostgreSQL | (not reachable: skipped) | | | | | |');
  }
  for (const c of CONCURRENCY) {
    for (let r = 0; r < REPEAT; r++) {
      for (const v of variants) {
        const cells = v.cells.get(c) ?? [];
        cells.push(await v.run(c));
        v.cells.set(c, cells);
      }
    }
  }
  for (const v of variants) {
    for (const c of CONCURRENCY) {
      const cells = v.cells.get(c)!;
      const rates = cells.map((x) => x.rate);
      const sum = (f: (x: Cell) => number) => cells.reduce((a, x) => a + f(x), 0);
      const batches = sum((x) => x.batches);
      out.push(
        `| ${v.name} | ${MODE_LABEL[v.mode]} | ${c} | ${Math.round(median(rates))} (${Math.round(Math.min(...rates))}–${Math.round(Math.max(...rates))}) | ${Math.round(median(cells.map((x) => x.cpuUs)))} | ${v.mode === 'baseline' ? '—' : (sum((x) => x.ops) / batches).toFixed(1)} | ${v.mode === 'baseline' || v.mode === 'record' ? '—' : (sum((x) => x.checkpoints) / batches).toFixed(2)} |`,
      );
    }
  }
} finally {
  for (const v of variants) await v.close();
  for (const f of cleanups) await f();
  rmSync(dir, { recursive: true, force: true });
}
console.log(out.join('\n'));
console.log(`load average after: ${load()}`);
