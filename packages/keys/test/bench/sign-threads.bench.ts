// Main-thread cost of PKCS#11 signing, A/B in one process: raw KeyStore.sign (ES256,
// SoftHSM2) with signThreads: 0 (C_SignInit on the main thread, C_Sign on the libuv pool)
// beside the sign threads. Cells are interleaved over rounds; medians are reported.
// Run: npx tsc -b packages/keys/test && node packages/keys/dist/test/bench/sign-threads.bench.js
//   [--seconds 3] [--rounds 3] [--concurrency 1,4,64,256] [--sessions 16] [--threads 0,2]
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { openKeyStore, type KeyStore } from '@cairn/keys';
import { createSoftHsmToken, hasTool } from '@cairn/testkit';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
const seconds = Number(arg('--seconds') ?? 3) || 3;
const rounds = Number(arg('--rounds') ?? 3) || 3;
const concurrencies = (arg('--concurrency') ?? '1,4,64,256').split(',').map(Number);
const sessions = Number(arg('--sessions') ?? 16);
const variants = (arg('--threads') ?? '0,2').split(',').map(Number);
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** CPU time of the main thread in µs (Linux: schedstat in ns, else stat in ticks), or undefined. */
const schedstat = `/proc/self/task/${process.pid}/schedstat`;
const stat = `/proc/self/task/${process.pid}/stat`;
function mainThreadCpuUs(): number | undefined {
  if (existsSync(schedstat)) return Number(readFileSync(schedstat, 'utf8').split(' ')[0]) / 1000;
  if (!existsSync(stat)) return undefined;
  const f = readFileSync(stat, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
}

interface Cell {
  rate: number;
  busyUs: number;
  mainCpuUs: number | undefined;
  cpuUs: number;
  p50: number;
  p99: number;
}

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

async function cell(store: KeyStore, concurrency: number): Promise<Cell> {
  const data = Buffer.alloc(200, 1);
  const lat: number[] = [];
  let n = 0;
  const end = Date.now() + seconds * 1000;
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const main = mainThreadCpuUs();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const t = performance.now();
        await store.sign('bench', 'ES256', data);
        lat.push(performance.now() - t);
        n++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const busy = performance.eventLoopUtilization(elu);
  const used = process.cpuUsage(cpu);
  const mainNow = mainThreadCpuUs();
  lat.sort((a, b) => a - b);
  return {
    rate: n / elapsed,
    busyUs: (busy.active * 1000) / n,
    mainCpuUs: main === undefined || mainNow === undefined ? undefined : (mainNow - main) / n,
    cpuUs: (used.user + used.system) / n,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
  };
}

if (!hasTool('softhsm2-util')) {
  console.error('skipping: softhsm2-util not installed (scripts/install-system-deps.sh)');
  process.exit(0);
}
const loadBefore = load();
const token = createSoftHsmToken({ label: 'bench-threads' });
const config = {
  backend: 'pkcs11',
  module: token.module,
  tokenLabel: token.tokenLabel,
  pin: token.pin,
  sessions,
} as const;
const stores = new Map<number, KeyStore>();
const cells = new Map<string, Cell[]>();
try {
  for (const threads of variants) {
    stores.set(threads, await openKeyStore({ ...config, signThreads: threads }));
  }
  await stores.get(variants[0]!)!.generate('bench', 'ecdsa-p256');
  for (const store of stores.values()) {
    for (let i = 0; i < 500; i++) await store.sign('bench', 'ES256', Buffer.alloc(1));
  }
  for (let r = 0; r < rounds; r++) {
    for (const concurrency of concurrencies) {
      for (const threads of variants) {
        const c = await cell(stores.get(threads)!, concurrency);
        const key = `${threads}/${concurrency}`;
        cells.set(key, [...(cells.get(key) ?? []), c]);
        console.error(
          `round ${r + 1}: signThreads ${threads}, ${concurrency} callers: ${c.rate.toFixed(0)}/s`,
        );
      }
    }
  }
} finally {
  for (const store of stores.values()) await store.close();
  token.cleanup();
}

console.log(
  `\nraw KeyStore.sign, ES256 on SoftHSM2, ${sessions} sessions; ${rounds} rounds × ${seconds} s per cell, medians (signatures/s: min–max); ` +
    `Node ${process.version}; load average ${loadBefore} before, ${load()} after\n`,
);
console.log(
  '| signThreads | callers | signatures/s | main thread busy µs/sig (ELU) | main thread CPU µs/sig | process CPU µs/sig | p50 ms | p99 ms |',
);
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const concurrency of concurrencies) {
  for (const threads of variants) {
    const cs = cells.get(`${threads}/${concurrency}`) ?? [];
    const rates = cs.map((c) => c.rate);
    const mainCpu = cs.map((c) => c.mainCpuUs).filter((x) => x !== undefined);
    console.log(
      `| ${threads} | ${concurrency} | ${median(rates).toFixed(0)} (${Math.min(...rates).toFixed(0)}–${Math.max(...rates).toFixed(0)}) | ` +
        `${median(cs.map((c) => c.busyUs)).toFixed(1)} | ${mainCpu.length > 0 ? median(mainCpu).toFixed(1) : 'n/a'} | ` +
        `${median(cs.map((c) => c.cpuUs)).toFixed(0)} | ${median(cs.map((c) => c.p50)).toFixed(2)} | ${median(cs.map((c) => c.p99)).toFixed(2)} |`,
    );
  }
}
