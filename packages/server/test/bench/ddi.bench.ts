/**
 * DDI poll throughput with 100,000 registered devices, on SQLite and PostgreSQL, beside a
 * bare node:http server answering a constant JSON in the same run.
 *
 *   node packages/server/dist/test/bench/ddi.bench.js [--devices N] [--seconds S] [--connections C]
 *     [--only bare|sqlite|postgres]
 *
 * The server runs in this process; the load generator is a child process (load-client.ts:
 * C raw keep-alive sockets, one request in flight each, every response read whole and its
 * status checked, each poll from a random device with its own TargetToken), so server and
 * client each get a core. The same generator measures the bare server and Cairn.
 * Warm-up 2 s, then S seconds.
 */
import { fork, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  const [url, seconds, connections, devices, warmup] = (
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
  });
  process.send?.(result satisfies LoadResult);
}

function runLoad(
  url: string,
  seconds: number,
  connections: number,
  devices: number,
): Promise<LoadResult & { readonly cpuMicros: number }> {
  const cpu0 = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, CAIRN_BENCH_LOAD: [url, seconds, connections, devices, 2].join(',') },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
    });
    // --pin: the load generator on CPU 1 (every thread), the server on CPU 0 (see main)
    if (pin && child.pid !== undefined) pinTo(child.pid, 1);
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
    child.once('message', (m) => {
      const cpu = process.cpuUsage(cpu0);
      resolve({ ...(m as LoadResult), cpuMicros: cpu.user + cpu.system });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`load generator exited with ${String(code)}`));
    });
  });
}

// ---------- servers ----------
async function bareServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const body = JSON.stringify({ config: { polling: { sleep: '00:05:00' } }, _links: {} });
  const server = http.createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
  await new Promise<void>((r) => {
    server.listen(0, '127.0.0.1', r);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((r) =>
        server.close(() => {
          r();
        }),
      ),
  };
}

async function cairn(database: DatabaseConfig, devices: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cairn-bench-'));
  const server = await createServer({
    dataDir,
    database,
    port: 0,
    adminToken: 'bench-admin-token-0123456789',
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
  const t1 = performance.now();
  await server.warmCaches();
  const warmMs = performance.now() - t1;
  const url = await server.listen();
  return {
    url,
    importMs,
    warmMs,
    metrics: server.services.metrics,
    close: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  if (pin) pinTo(process.pid, 0);
  const devices = arg('devices', 100_000);
  const seconds = arg('seconds', 5);
  const connections = arg('connections', 64);
  const rows: string[] = [];
  const row = (
    name: string,
    r: LoadResult & { readonly cpuMicros: number },
    bare: number | undefined,
    extra = '',
  ): void => {
    const rate = r.requests / r.seconds;
    rows.push(
      `| ${name} | ${Math.round(rate).toLocaleString('en-US')} | ${(r.cpuMicros / r.total).toFixed(1)} | ${bare === undefined ? (name.startsWith('bare') ? '1.00' : '–') : (rate / bare).toFixed(2)} | ${r.errors + r.badBodies} | ${extra} |`,
    );
  };
  const only = textArg('only');
  let bareRate: number | undefined;
  if (only === undefined || only === 'bare') {
    const bare = await bareServer();
    const b = await runLoad(bare.url, seconds, connections, devices);
    await bare.close();
    bareRate = b.requests / b.seconds;
    row('bare node:http (constant JSON)', b, undefined);
  }

  const dialects: {
    name: string;
    config: () => Promise<DatabaseConfig | undefined>;
    cleanup: () => Promise<void>;
  }[] = [];
  const sqliteDir = mkdtempSync(join(tmpdir(), 'cairn-bench-db-'));
  dialects.push({
    name: 'SQLite',
    config: () => Promise.resolve({ dialect: 'sqlite', path: join(sqliteDir, 'bench.db') }),
    cleanup: () => {
      rmSync(sqliteDir, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
  const schema = `bench_${process.pid}`;
  dialects.push({
    name: 'PostgreSQL',
    config: async () =>
      (await postgresAvailable())
        ? { dialect: 'postgres', connectionString: testPostgresUrl(), schema }
        : undefined,
    cleanup: async () => {
      if (!(await postgresAvailable())) return;
      const admin = await openDatabase({
        dialect: 'postgres',
        connectionString: testPostgresUrl(),
        poolSize: 1,
      });
      await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(admin.typed());
      await admin.close();
    },
  });
  for (const d of dialects) {
    if (only !== undefined && only !== d.name.toLowerCase()) continue;
    const config = await d.config();
    if (config === undefined) {
      rows.push(`| Cairn DDI on ${d.name} | skipped: not reachable | | | | |`);
      continue;
    }
    try {
      const s = await cairn(config, devices);
      const r = await runLoad(s.url, seconds, connections, devices);
      await s.close();
      row(
        `Cairn DDI poll, ${d.name}`,
        r,
        bareRate,
        `bulk import of ${devices.toLocaleString('en-US')} devices ${(s.importMs / 1000).toFixed(1)} s, cache warm-up ${(s.warmMs / 1000).toFixed(1)} s, fast path ${((100 * s.metrics.ddiPollsFast) / Math.max(1, s.metrics.ddiPollsFast + s.metrics.ddiPollsSlow)).toFixed(1)} % of polls`,
      );
    } finally {
      await d.cleanup();
    }
  }
  console.log(
    `DDI polls (GET /{tenant}/controller/v1/{id}, TargetToken), ${devices.toLocaleString('en-US')} registered devices, ${connections} keep-alive connections, ${seconds} s after 2 s warm-up; load generator in a child process\n`,
  );
  console.log(
    '| server | polls/s | server CPU µs/poll | vs bare | errors | notes |\n|---|---:|---:|---:|---:|---|',
  );
  for (const r of rows) console.log(r);
}

if (process.env['CAIRN_BENCH_LOAD'] !== undefined) await loadGenerator();
else await main();
