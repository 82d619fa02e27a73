/**
 * DDI poll throughput with 100,000 registered devices, on SQLite and PostgreSQL, beside a
 * bare node:http server answering a constant JSON in the same run.
 *
 *   node packages/server/dist/test/bench/ddi.bench.js [--devices N] [--seconds S] [--connections C]
 *     [--rounds R] [--only sqlite|postgresql] [--last-seen-resolution S] [--pin] [--split]
 *
 * The Cairn servers run in this process, the bare baseline in a child process of its own,
 * and the load generator in another (load-client.ts: C raw keep-alive sockets, one request
 * in flight each, every response read whole and its status checked, each poll from a
 * random device with its own TargetToken). The same generator measures the bare server
 * and Cairn. Each measurement is 2 s of warm-up, then S seconds; R rounds of bare, each
 * Cairn server, bare, and every Cairn figure is compared with the bare runs on either side
 * of it (this VM's speed drifts by up to ×1.8 within minutes).
 *
 * Before its rounds, each Cairn server is brought to the state a server with 100,000
 * devices lives in: the bulk import settled (VACUUM ANALYZE on PostgreSQL, a WAL
 * checkpoint on SQLite), the caches warmed, and every device's first poll made (one pass,
 * each device once, in random order; its rate is printed in the notes). The rounds then
 * measure polls from devices that have polled before.
 *
 * --last-seen-resolution S sets the server's lastSeenResolutionSeconds (default: the
 * server's default, 60): a device's last_seen row is written at most once per S seconds.
 * The notes give the rows the server wrote during the rounds, per second; at these poll
 * rates each device polls every 2 or 3 s, so with 0 nearly every device is rewritten at
 * every 5 s flush.
 *
 * --split adds four rows per Cairn round that tell where Cairn's extra cost per poll
 * lies: Cairn's own server (made by Fastify, in the process holding the 100,000 cached
 * devices) answering the bare server's constant instead of polling; a bare node:http
 * server started on that process's main thread; one started on a worker thread of that
 * process (an isolate of its own); and Cairn's poll handler alone on such a worker
 * thread, with caches preloaded from the same database (edge-probe-thread.ts). None is a
 * Cairn figure; they separate the cost of the poll's own work from the cost of the
 * process and the isolate it runs in.
 */
import { fork, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { openDatabase, sql } from '@cairn/db';
import type { DatabaseConfig } from '@cairn/db';
import { createServer, hashToken } from '@cairn/server';
import { postgresAvailable, testPostgresUrl } from '@cairn/testkit';
import { newSigningKey, VENDOR_ID, CLASS_ID } from '../helpers/bundles.js';
import { runPollLoad } from './load-client.js';
import type { LoadResult } from './load-client.js';

function textArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i < 0 ? undefined : Number(process.argv[i + 1]);
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : fallback;
}

// ---------- load generator (child process) ----------
/**
 * --pin (Linux, util-linux taskset): the server process on CPU 0 and the load generator on
 * CPU 1, every thread of each, so bare and Cairn servers get the same single core and the
 * generator never competes with them. Without it the OS schedules freely.
 */
const pin = process.argv.includes('--pin');
const resolutionArg = textArg('last-seen-resolution');
const lastSeenResolution = resolutionArg === undefined ? undefined : Number(resolutionArg);
if (
  lastSeenResolution !== undefined &&
  !(Number.isInteger(lastSeenResolution) && lastSeenResolution >= 0)
) {
  throw new Error(
    `ddi bench: --last-seen-resolution wants a whole number of seconds ≥ 0, not ${String(resolutionArg)}`,
  );
}
const split = process.argv.includes('--split');

function pinTo(pid: number, cpu: number): void {
  const r = spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    throw new Error(
      `--pin: taskset failed (${r.error?.message ?? r.stderr.trim()}): install util-linux or run without --pin`,
    );
  }
}

async function loadGenerator(): Promise<void> {
  const [url, seconds, connections, devices, warmup, mode] = (
    process.env['CAIRN_BENCH_LOAD'] ?? ''
  ).split(',');
  const target = new URL(url ?? '');
  const result = await runPollLoad({
    host: target.hostname,
    port: Number(target.port),
    prefix: target.pathname === '/' ? '' : target.pathname,
    devices: Number(devices),
    connections: Number(connections),
    warmupSeconds: Number(warmup),
    seconds: Number(seconds),
    once: mode === 'once',
  });
  process.send?.(result satisfies LoadResult);
}

/** `once`: every device polls once (runPollLoad's `once`); `seconds` is then only the timeout. */
function runLoad(
  url: string,
  seconds: number,
  connections: number,
  devices: number,
  once = false,
): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      env: {
        ...process.env,
        CAIRN_BENCH_LOAD: [url, seconds, connections, devices, 2, once ? 'once' : 'timed'].join(
          ',',
        ),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
    });
    // --pin: the load generator on CPU 1 (every thread), the server on CPU 0 (see main)
    if (pin && child.pid !== undefined) pinTo(child.pid, 1);
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
    child.once('message', (m) => {
      resolve(m as LoadResult);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`load generator exited with ${String(code)}`));
    });
  });
}

// ---------- servers ----------
const BARE_BODY = JSON.stringify({ config: { polling: { sleep: '00:05:00' } }, _links: {} });

/**
 * The baseline: a bare node:http server answering a constant JSON poll answer, in a
 * process of its own (CAIRN_BENCH_BARE), so that nothing Cairn loads (its heap of 100,000
 * cached devices, its worker and GC threads, the async hooks its database layer enables)
 * touches the baseline. The parent asks it for its CPU time over IPC.
 */
async function bareServerProcess(): Promise<void> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(BARE_BODY),
    });
    res.end(BARE_BODY);
  });
  await new Promise<void>((r) => {
    server.listen(0, '127.0.0.1', r);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  process.on('message', (m) => {
    if (m === 'cpu') {
      const c = process.cpuUsage();
      process.send?.({ cpuMicros: c.user + c.system });
    } else if (m === 'close') {
      server.close();
      process.disconnect();
    }
  });
  process.send?.({ port });
}

interface Target {
  readonly name: string;
  readonly url: string;
  /** CPU time of the serving process so far, in µs. */
  cpuMicros(): Promise<number>;
  notes(): string;
  close(): Promise<void>;
  /** Called just before and after the target is measured (--split probes). */
  begin?(): void;
  end?(): void;
}

async function bareServer(): Promise<Target> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, CAIRN_BENCH_BARE: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [],
  });
  if (pin && child.pid !== undefined) pinTo(child.pid, 0);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => {
      resolve((m as { port: number }).port);
    });
    child.once('exit', (code) => {
      reject(new Error(`bare server exited with ${String(code)}`));
    });
  });
  return {
    name: 'bare node:http (constant JSON, own process)',
    url: `http://127.0.0.1:${port}`,
    cpuMicros: () =>
      new Promise((resolve) => {
        child.once('message', (m) => {
          resolve((m as { cpuMicros: number }).cpuMicros);
        });
        child.send('cpu');
      }),
    notes: () => '',
    close: () =>
      exitAfter(child, () => {
        child.send('close');
      }),
  };
}

/** This process's CPU time so far in µs (the Cairn servers and the --split probes run here). */
function processCpuMicros(): Promise<number> {
  const c = process.cpuUsage();
  return Promise.resolve(c.user + c.system);
}

async function cairn(
  name: string,
  database: DatabaseConfig,
  devices: number,
  connections: number,
): Promise<Target & { readonly probes: () => Promise<Target[]> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cairn-bench-'));
  const server = await createServer({
    dataDir,
    database,
    port: 0,
    adminToken: 'bench-admin-token-0123456789',
    ...(lastSeenResolution === undefined ? {} : { lastSeenResolutionSeconds: lastSeenResolution }),
  });
  const key = newSigningKey();
  await server.services.products.create({
    id: 'gw',
    name: 'Gateway',
    vendorId: VENDOR_ID,
    classId: CLASS_ID,
    anchors: [{ kind: 'pem', value: key.publicPem }],
  });
  const t0 = performance.now();
  const batch = 10_000;
  for (let i = 0; i < devices; i += batch) {
    const rows = [];
    for (let j = i; j < Math.min(devices, i + batch); j++) {
      rows.push({ controllerId: `dev-${j}`, productId: 'gw', tokenHash: hashToken(`tok-${j}`) });
    }
    await server.services.devices.importMany(rows);
  }
  const importMs = performance.now() - t0;
  // Settle the bulk import as an operator would before going live, so the first rounds do
  // not pay for it: statistics and a vacuum (PostgreSQL would start autovacuum on the
  // 100,000 new rows during the rounds), the WAL folded into the database (SQLite).
  const settle = performance.now();
  const kdb = server.services.db.typed();
  if (database.dialect === 'postgres') await sql`VACUUM ANALYZE devices`.execute(kdb);
  else await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(kdb);
  const settleMs = performance.now() - settle;
  const t1 = performance.now();
  await server.warmCaches();
  const warmMs = performance.now() - t1;
  const url = await server.listen();
  const m = server.services.metrics;
  // Every device's first poll, before the rounds: the rounds measure a server whose
  // devices have all polled before (as in the field, where a device polls every few
  // minutes for years). A first poll costs more: the TargetToken is hashed once and then
  // cached raw. Reported in the notes, not in the rounds.
  const first = await runLoad(url, 120, connections, devices, true);
  if (first.requests !== devices || first.errors + first.badBodies > 0) {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(
      `ddi bench: first polls: ${first.requests} of ${devices} answered 200, ${first.errors} errors, ${first.badBodies} bad bodies`,
    );
  }
  const firstNote = `first polls: all ${devices.toLocaleString('en-US')} devices once, ${fmt(first.requests / first.seconds)} polls/s`;
  // last_seen rows written from here to the end of the rounds (notes() is called then)
  const tracker = server.services.devices.lastSeen;
  await tracker.flush();
  const rows0 = tracker.rowsWritten;
  const since = performance.now();
  const rowsNote = (): string => {
    const rows = tracker.rowsWritten - rows0;
    return `last_seen rows written after the first polls: ${fmt(rows)}, ${fmt(rows / ((performance.now() - since) / 1000))}/s`;
  };
  return {
    name: `Cairn DDI poll, ${name}`,
    url,
    cpuMicros: processCpuMicros,
    notes: () =>
      `bulk import ${(importMs / 1000).toFixed(1)} s, settled in ${(settleMs / 1000).toFixed(1)} s, cache warm-up ${(warmMs / 1000).toFixed(1)} s, fast path ${((100 * m.ddiPollsFast) / Math.max(1, m.ddiPollsFast + m.ddiPollsSlow)).toFixed(1)} % of polls; ${firstNote}; ${rowsNote()}`,
    probes: () => splitProbes(name, server.app.server, url, database),
    close: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The constant answer of the bare server, as a request listener. */
function constantAnswer(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(BARE_BODY),
  });
  res.end(BARE_BODY);
}

/** Ask a child process or worker thread to close (`send`) and wait until it has exited. */
function exitAfter(proc: { once(event: 'exit', fn: () => void): unknown }, send: () => void) {
  return new Promise<void>((resolve) => {
    proc.once('exit', () => {
      resolve();
    });
    send();
  });
}

/**
 * --split: the four probes measured inside the Cairn server's process (see the header).
 * "Cairn's server answering the constant" swaps the constant answer in for Cairn's request
 * listeners while it is measured and puts them back afterwards.
 */
async function splitProbes(
  name: string,
  server: http.Server,
  url: string,
  database: DatabaseConfig,
): Promise<Target[]> {
  const inProcess = http.createServer(constantAnswer);
  await new Promise<void>((r) => {
    inProcess.listen(0, '127.0.0.1', r);
  });
  const addr = inProcess.address();
  // the same server on a worker thread: same process, threads and heap of devices, but an
  // isolate of its own
  const thread = new Worker(
    `const http = require('node:http');
     const { parentPort } = require('node:worker_threads');
     const body = ${JSON.stringify(BARE_BODY)};
     const server = http.createServer((_req, res) => {
       res.writeHead(200, {
         'content-type': 'application/json; charset=utf-8',
         'content-length': Buffer.byteLength(body),
       });
       res.end(body);
     });
     server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));`,
    { eval: true },
  );
  const threadPort = await new Promise<number>((resolve, reject) => {
    thread.once('message', (m) => {
      resolve(m as number);
    });
    thread.once('error', reject);
  });
  let saved: ((...args: unknown[]) => void)[] = [];

  // Cairn's poll handler alone on a worker thread (edge-probe-thread.ts)
  const edge = new Worker(new URL('./edge-probe-thread.js', import.meta.url), {
    workerData: { database },
  });
  const edgePort = await new Promise<number>((resolve, reject) => {
    edge.once('message', (m) => {
      resolve(m as number);
    });
    edge.once('error', reject);
  });
  return [
    {
      name: `probe: Cairn's poll handler alone on a worker thread (${name})`,
      url: `http://127.0.0.1:${edgePort}`,
      cpuMicros: processCpuMicros,
      notes: () => '',
      close: () =>
        exitAfter(edge, () => {
          edge.postMessage('close');
        }),
    },
    {
      name: `probe: Cairn's server (${name}) answering the constant`,
      url,
      cpuMicros: processCpuMicros,
      begin: () => {
        saved = server.listeners('request') as ((...args: unknown[]) => void)[];
        server.removeAllListeners('request');
        server.on('request', constantAnswer);
      },
      end: () => {
        server.removeAllListeners('request');
        for (const l of saved) server.on('request', l);
      },
      notes: () => '',
      close: () => Promise.resolve(),
    },
    {
      name: `probe: bare node:http on a worker thread of the Cairn (${name}) process`,
      url: `http://127.0.0.1:${threadPort}`,
      cpuMicros: processCpuMicros,
      notes: () => '',
      close: () => thread.terminate().then(() => undefined),
    },
    {
      name: `probe: bare node:http inside the Cairn (${name}) process`,
      url: `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`,
      cpuMicros: processCpuMicros,
      notes: () => '',
      close: () =>
        new Promise((r) => {
          inProcess.close(() => {
            r();
          });
        }),
    },
  ];
}

interface Measured {
  readonly rate: number;
  readonly cpuPerPoll: number;
  readonly errors: number;
}

async function measure(t: Target, seconds: number, connections: number, devices: number) {
  t.begin?.();
  const before = await t.cpuMicros();
  const r = await runLoad(t.url, seconds, connections, devices);
  const cpu = (await t.cpuMicros()) - before;
  t.end?.();
  return {
    rate: r.requests / r.seconds,
    cpuPerPoll: cpu / r.total,
    errors: r.errors + r.badBodies,
  } satisfies Measured;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  if (pin) pinTo(process.pid, 0);
  const devices = arg('devices', 100_000);
  const seconds = arg('seconds', 5);
  const connections = arg('connections', 64);
  const rounds = arg('rounds', 3);
  const only = textArg('only');

  // The bare server is up for the whole run; one Cairn server at a time (a second one's
  // heap of 100,000 cached devices would slow the first one's garbage collection).
  const bare = await bareServer();
  const dialects: {
    name: string;
    open: () => Promise<{ config: DatabaseConfig; cleanup: () => Promise<void> } | undefined>;
  }[] = [];
  const skipped: string[] = [];
  if (only === undefined || only === 'sqlite') {
    dialects.push({
      name: 'SQLite',
      open: () => {
        const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-db-'));
        return Promise.resolve({
          config: { dialect: 'sqlite', path: join(dir, 'bench.db') },
          cleanup: () => {
            rmSync(dir, { recursive: true, force: true });
            return Promise.resolve();
          },
        });
      },
    });
  }
  if (only === undefined || only === 'postgresql') {
    dialects.push({
      name: 'PostgreSQL',
      open: async () => {
        if (!(await postgresAvailable())) {
          skipped.push('PostgreSQL: not reachable at the test URL, so not measured');
          return undefined;
        }
        const schema = `bench_${process.pid}`;
        return {
          config: { dialect: 'postgres', connectionString: testPostgresUrl(), schema },
          cleanup: async () => {
            const admin = await openDatabase({
              dialect: 'postgres',
              connectionString: testPostgresUrl(),
              poolSize: 1,
            });
            await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(admin.typed());
            await admin.close();
          },
        };
      },
    });
  }

  // Per dialect: bare, then rounds of Cairn and bare again; each Cairn run is compared with
  // the mean of the bare runs just before and just after it, so a change in the machine's
  // speed during the run moves numerator and denominator alike.
  const bareRuns: Measured[] = [];
  const runs = new Map<string, { m: Measured; ratio: number; cpuRatio: number }[]>();
  const lines: string[] = [];
  const notes: string[] = [];
  const progress = (s: string): void => {
    process.stderr.write(`ddi bench: ${s}\n`);
  };
  for (const d of dialects) {
    const db = await d.open();
    if (db === undefined) continue;
    try {
      progress(`${d.name}: importing ${devices.toLocaleString('en-US')} devices`);
      const t = await cairn(d.name, db.config, devices, connections);
      try {
        let before = await measure(bare, seconds, connections, devices);
        bareRuns.push(before);
        const probes = split ? await t.probes() : [];
        for (let round = 1; round <= rounds; round++) {
          progress(`${d.name} round ${round}/${rounds}`);
          const measured: [Target, Measured][] = [];
          for (const target of [t, ...probes])
            measured.push([target, await measure(target, seconds, connections, devices)]);
          const after = await measure(bare, seconds, connections, devices);
          bareRuns.push(after);
          for (const [target, m] of measured) {
            const ratio = m.rate / ((before.rate + after.rate) / 2);
            const cpuRatio = m.cpuPerPoll / ((before.cpuPerPoll + after.cpuPerPoll) / 2);
            const list = runs.get(target.name) ?? [];
            list.push({ m, ratio, cpuRatio });
            runs.set(target.name, list);
            lines.push(
              `| ${round} | ${target.name} | ${fmt(m.rate)} | ${m.cpuPerPoll.toFixed(1)} | ${fmt(before.rate)} → ${fmt(after.rate)} | ${before.cpuPerPoll.toFixed(1)} → ${after.cpuPerPoll.toFixed(1)} | ${ratio.toFixed(2)} | ${m.errors + before.errors + after.errors} |`,
            );
          }
          before = after;
        }
        notes.push(`${t.name}: ${t.notes()}`);
        for (const p of probes) await p.close();
      } finally {
        await t.close();
      }
    } finally {
      await db.cleanup();
    }
  }
  await bare.close();

  console.log(
    `DDI polls (GET /{tenant}/controller/v1/{id}, TargetToken), ${devices.toLocaleString('en-US')} registered devices, a random device per poll, ${connections} keep-alive connections; ${rounds} rounds of ${seconds} s per server after 2 s warm-up, the load generator in a child process; last_seen write resolution ${lastSeenResolution === undefined ? 'the default (60 s)' : `${lastSeenResolution} s`}${pin ? ', server on CPU 0 and load generator on CPU 1 (--pin)' : ''}\n`,
  );
  console.log(
    '| round | server | polls/s | server CPU µs/poll | bare polls/s before → after | bare CPU µs/poll | vs bare (mean of before and after) | errors |\n|---:|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const l of lines) console.log(l);
  console.log('\nSummary (median over the rounds):\n');
  console.log(
    '| server | polls/s | server CPU µs/poll | vs bare | lowest | highest | CPU per poll vs bare |\n|---|---:|---:|---:|---:|---:|---:|',
  );
  console.log(
    `| bare node:http | ${fmt(median(bareRuns.map((b) => b.rate)))} | ${median(bareRuns.map((b) => b.cpuPerPoll)).toFixed(1)} | 1.00 | | | 1.00 |`,
  );
  for (const [name, list] of runs) {
    const ratios = list.map((x) => x.ratio);
    console.log(
      `| ${name} | ${fmt(median(list.map((x) => x.m.rate)))} | ${median(list.map((x) => x.m.cpuPerPoll)).toFixed(1)} | ${median(ratios).toFixed(2)} | ${Math.min(...ratios).toFixed(2)} | ${Math.max(...ratios).toFixed(2)} | ${median(list.map((x) => x.cpuRatio)).toFixed(2)} |`,
    );
  }
  for (const n of [...notes, ...skipped]) console.log(`\n- ${n}`);
}

if (process.env['CAIRN_BENCH_BARE'] !== undefined) await bareServerProcess();
else if (process.env['CAIRN_BENCH_LOAD'] !== undefined) await loadGenerator();
else await main();
