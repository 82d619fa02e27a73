// Signatures per second through the full REST path (HTTP keep-alive on loopback →
// Fastify → policy → SUIT manifest → ECDSA P-256 on SoftHSM2 → audit record + log entry
// durably committed on SQLite → tlog proof), beside, in the same run and with the same
// load generator, token and key:
// - the floor: a bare node:http server that only signs each request's body with the same
//   KeyStore (and, in a second row, verifies the signature on the thread pool as the
//   service's self-check does) — no framework, auth, policy, manifest, log or database,
//   so no REST signing service on this machine and HSM can go faster;
// - raw KeyStore.sign with no HTTP at all.
// Usage: node packages/signer/dist/test/bench/signer.bench.js [--seconds 3]
import { createPublicKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { verifySignatureAsync } from '@cairn/core';
import { openDatabase } from '@cairn/db';
import { openKeyStore } from '@cairn/keys';
import { createSignerService, openSigner } from '@cairn/signer';
import { createSoftHsmToken } from '@cairn/testkit';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
const seconds = Number(arg('--seconds') ?? 3) || 3;
// --only rest|floor|raw runs one path (e.g. under node --cpu-prof); default all three
const only = arg('--only');
if (only !== undefined && !['rest', 'floor', 'raw'].includes(only)) {
  console.error(`signer bench: --only takes rest, floor or raw, not '${only}'`);
  process.exit(2);
}
const runs = (path: 'rest' | 'floor' | 'raw'): boolean => only === undefined || only === path;
// PKCS#11 session pool size (1..64): signatures in flight, hence the ledger's batch size
const sessions = Number(arg('--sessions') ?? 16);
// PKCS#11 sign threads (@cairn/keys signThreads; 0 signs from the main thread); default: the store's
const signThreads = arg('--sign-threads') === undefined ? undefined : Number(arg('--sign-threads'));
const concurrencies = (arg('--concurrency') ?? '64,256').split(',').map(Number);
// --client raw (default: lean HTTP/1.1 on sockets) | sdk (the SignerClient of `cairn sign`)
const client = arg('--client') === 'sdk' ? 'sdk' : 'raw';
const VENDOR = 'fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe';
const CLASS = '1492af14-2569-5e48-bf42-9b2d51f2ab45';

/** The main thread's CPU time in ms (Linux schedstat), or NaN where it is not available. */
const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
const mainCpuMs = (): number =>
  existsSync(SCHEDSTAT) ? Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6 : NaN;

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * One measured run of the load generator thread against `url`, with the figures every
 * HTTP row prints: rate, latency, failures, and CPU per signature (main thread; whole
 * process; the process without the load generator, i.e. what the server costs; the
 * other threads: HSM sign threads, libuv pool, V8 GC).
 */
async function load(
  url: string,
  token: string,
  concurrency: number,
): Promise<{ rate: string; p50: string; p99: string; failures: string; cpu: string }> {
  const eluBefore = performance.eventLoopUtilization();
  const cpuBefore = process.cpuUsage();
  const mainBefore = mainCpuMs();
  const started = performance.now();
  const result: {
    ok: number;
    failed: number;
    firstError: string;
    latencies: number[];
    cpuMs: number;
  } = await new Promise((resolve, reject) => {
    const w = new Worker(new URL('./load-worker.js', import.meta.url), {
      workerData: {
        url,
        token,
        concurrency,
        durationMs: seconds * 1000,
        vendorId: VENDOR,
        classId: CLASS,
        tag: concurrency.toString(16),
        client,
      },
    });
    w.once('message', resolve);
    w.once('error', reject);
  });
  const elapsed = (performance.now() - started) / 1000;
  const elu = performance.eventLoopUtilization(eluBefore).utilization;
  const cpu = process.cpuUsage(cpuBefore);
  const n = Math.max(1, result.ok);
  const cpuPerSig = (cpu.user + cpu.system) / 1000 / n;
  const serviceCpuPerSig = ((cpu.user + cpu.system) / 1000 - result.cpuMs) / n;
  const mainPerSig = (mainCpuMs() - mainBefore) / n;
  const lat = result.latencies.sort((a, b) => a - b);
  return {
    rate: (result.ok / elapsed).toFixed(0),
    p50: pct(lat, 50).toFixed(1),
    p99: pct(lat, 99).toFixed(1),
    failures: `${result.failed} failed${result.firstError ? ` (${result.firstError})` : ''}`,
    cpu: `main thread ${(elu * 100).toFixed(0)}% busy, ${mainPerSig.toFixed(3)} ms CPU/sig; process ${cpuPerSig.toFixed(2)} ms CPU/sig, ${serviceCpuPerSig.toFixed(2)} without the ${client} load generator (${(result.cpuMs / n).toFixed(3)}); other threads (HSM sign threads, libuv pool, V8 GC) ${(serviceCpuPerSig - mainPerSig).toFixed(3)}`,
  };
}

const loadBefore = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
// --keystore software: the same path with the software keystore (signs on the main
// thread), to separate what the HSM costs from what the rest of the path costs
const software = arg('--keystore') === 'software';
const token = software ? undefined : createSoftHsmToken({ label: 'cairn-bench' });
const dir = mkdtempSync(join(tmpdir(), 'cairn-signer-bench-'));
const keys = await openKeyStore(
  token === undefined
    ? {
        backend: 'software',
        dir: join(dir, 'keys'),
        passphrase: 'bench passphrase, not a secret',
        warn: () => undefined,
      }
    : {
        backend: 'pkcs11',
        module: token.module,
        tokenLabel: token.tokenLabel,
        pin: token.pin,
        sessions,
        ...(signThreads === undefined ? {} : { signThreads }),
      },
);
const store = software
  ? 'software keystore P-256'
  : `SoftHSM2 P-256 ${sessions} sessions${signThreads === undefined ? '' : `, ${signThreads} sign threads`}`;
const db = await openDatabase({ dialect: 'sqlite', path: join(dir, 'signer.db') });
const rows: string[] = [];
try {
  const stack = await openSigner({ db, keys, checkpointIntervalMs: 0 });
  await keys.generate('fw-key', 'ecdsa-p256');
  await stack.service.workers.create({
    name: 'fw',
    keyLabel: 'fw-key',
    products: [{ vendorId: VENDOR, classId: CLASS }],
    formats: ['suit'],
  });
  const { token: ci } = await stack.service.tokens.create(
    { name: 'bench', grants: [{ role: 'signer', worker: 'fw' }], ttlSeconds: 3600 },
    'bench',
  );
  const app = await createSignerService({ service: stack.service, logger: false });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });

  for (const concurrency of runs('rest') ? concurrencies : []) {
    const batchesBefore = stack.ledger.stats();
    const proofsBefore = stack.service.proofs.stats();
    const r = await load(url, ci, concurrency);
    const after = stack.ledger.stats();
    const proofs = stack.service.proofs.stats();
    const fromMirror =
      (proofs.mirror - proofsBefore.mirror) /
      Math.max(1, proofs.mirror - proofsBefore.mirror + proofs.ledger - proofsBefore.ledger);
    const perBatch =
      (after.operations - batchesBefore.operations) /
      Math.max(1, after.batches - batchesBefore.batches);
    rows.push(
      `| REST sign (${store}, SQLite durable) | ${concurrency} | ${r.rate} | ${r.p50} | ${r.p99} | ${r.failures}; ${perBatch.toFixed(1)} ops/commit; ${(fromMirror * 100).toFixed(0)}% proofs from the mirror; ${r.cpu} |`,
    );
  }
  await app.close();

  // The floor: what HTTP + the HSM alone allow (see the header comment).
  const spki = (await keys.get('fw-key')).publicKey;
  const publicKey = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  for (const verify of runs('floor') ? [false, true] : []) {
    const floor = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => {
        chunks.push(c);
      });
      req.on('end', () => {
        void (async () => {
          const body = Buffer.concat(chunks);
          const signature = await keys.sign('fw-key', 'ES256', body);
          if (verify && !(await verifySignatureAsync('ES256', publicKey, body, signature)))
            throw new Error('floor: the HSM returned a signature that does not verify');
          const out = `{"envelope":"${Buffer.from(signature).toString('base64')}"}`;
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(out),
          });
          res.end(out);
        })().catch((err: unknown) => {
          res.writeHead(500).end(String(err));
        });
      });
    });
    await new Promise<void>((resolve) => floor.listen(0, '127.0.0.1', resolve));
    const floorUrl = `http://127.0.0.1:${(floor.address() as AddressInfo).port}`;
    for (const concurrency of concurrencies) {
      const r = await load(floorUrl, ci, concurrency);
      rows.push(
        `| floor: bare node:http + KeyStore.sign${verify ? ' + verify' : ''} (${store}) | ${concurrency} | ${r.rate} | ${r.p50} | ${r.p99} | ${r.failures}; ${r.cpu} |`,
      );
    }
    await new Promise<void>((resolve) => {
      floor.close(() => {
        resolve();
      });
    });
  }

  for (const concurrency of runs('raw') ? concurrencies : []) {
    const data = Buffer.alloc(200, 1);
    const lat: number[] = [];
    let n = 0;
    const end = Date.now() + seconds * 1000;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < end) {
          const t = performance.now();
          await keys.sign('fw-key', 'ES256', data);
          lat.push(performance.now() - t);
          n++;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    lat.sort((a, b) => a - b);
    const cpu = process.cpuUsage(cpuBefore);
    const cpuPerSig = (cpu.user + cpu.system) / 1000 / Math.max(1, n);
    rows.push(
      `| raw KeyStore.sign (${store}) | ${concurrency} | ${(n / elapsed).toFixed(0)} | ${pct(lat, 50).toFixed(2)} | ${pct(lat, 99).toFixed(2)} | ${cpuPerSig.toFixed(2)} ms CPU/sig |`,
    );
  }
  await stack.close();
} finally {
  await keys.close();
  await db.close();
  token?.cleanup();
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  `## signer — ${seconds} s per row, load generator (${client}) in a worker thread; load average ${loadBefore} before, ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} after\n`,
);
console.log('| path | concurrency | signatures/s | p50 ms | p99 ms | notes |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
