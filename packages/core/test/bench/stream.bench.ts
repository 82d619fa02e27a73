/**
 * Streaming verification benchmark (run by scripts/run-bench.mjs with --expose-gc):
 * raw node:crypto SHA-256 vs verifyStream vs verifyBundle (with and without an
 * `onPayload` consumer) over the same 64 KiB chunks, at 64 MiB, 256 MiB and 1 GiB.
 * Each case runs REPEATS times, interleaved with the others (so background load hits all
 * alike); the table gives medians of wall and CPU throughput, their ratios to raw hashing
 * of the same size, and peak RSS / heap sampled during the runs. Prints markdown; exits 0.
 * Load-independent figures (instructions per byte): stream-instructions.ts.
 */
import { CASES, CHUNK, makeRuns, MiB } from './stream-cases.js';
import type { CaseName, Run } from './stream-cases.js';

const REPEATS = Number(process.env.CAIRN_BENCH_REPEATS ?? 5);
const SIZES = [64 * MiB, 256 * MiB, 1024 * MiB];

interface Sample {
  mibps: number;
  /** MiB per CPU-second of this process: less sensitive to other load on the machine. */
  cpuMibps: number;
  peakRssMiB: number;
  peakHeapMiB: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

class MemoryProbe {
  peakRss = 0;
  peakHeap = 0;
  #n = 0;
  readonly tick = (): void => {
    if (++this.#n % 64 !== 0) return;
    const m = process.memoryUsage();
    this.peakRss = Math.max(this.peakRss, m.rss);
    this.peakHeap = Math.max(this.peakHeap, m.heapUsed);
  };
}

async function measure(bytes: number, run: Run): Promise<Sample> {
  gc?.();
  const probe = new MemoryProbe();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await run(probe.tick);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  const m = process.memoryUsage();
  return {
    mibps: bytes / MiB / seconds,
    cpuMibps: bytes / MiB / ((cpu.user + cpu.system) / 1e6),
    peakRssMiB: Math.max(probe.peakRss, m.rss) / MiB,
    peakHeapMiB: Math.max(probe.peakHeap, m.heapUsed) / MiB,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function summarize(samples: Sample[]): Sample {
  return {
    mibps: median(samples.map((s) => s.mibps)),
    cpuMibps: median(samples.map((s) => s.cpuMibps)),
    peakRssMiB: Math.max(...samples.map((s) => s.peakRssMiB)),
    peakHeapMiB: Math.max(...samples.map((s) => s.peakHeapMiB)),
  };
}

async function main(): Promise<void> {
  const runs = new Map<number, Record<CaseName, Run>>();
  for (const size of SIZES) runs.set(size, await makeRuns(size));
  const samples = new Map<string, Sample[]>();
  // Interleaved: every repeat runs every case at every size once, smallest first.
  for (let i = 0; i < REPEATS; i++) {
    for (const size of SIZES) {
      for (const name of CASES) {
        const key = `${name}@${size}`;
        const s = await measure(size, runs.get(size)![name]);
        samples.set(key, [...(samples.get(key) ?? []), s]);
      }
    }
  }
  console.log(
    `64 KiB chunks (one chunk object reused, from a hand-written source), median of ${REPEATS} ` +
      'interleaved runs; CPU MiB/s = bytes per CPU-second of this process (robust to other ' +
      'load); ratios are to raw hashing of the same size in the same run; peak memory sampled ' +
      `every 64 chunks, max over runs${gc === undefined ? ' (run with --expose-gc for comparable memory figures)' : ''}.\n`,
  );
  console.log(
    '| measurement | payload MiB | MiB/s | ratio to raw | CPU MiB/s | CPU ratio | peak RSS MiB | peak heap MiB |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of SIZES) {
    const raw = summarize(samples.get(`raw@${size}`)!);
    for (const name of CASES) {
      const s = summarize(samples.get(`${name}@${size}`)!);
      const label = name === 'raw' ? 'raw node:crypto SHA-256' : name;
      console.log(
        `| ${label} | ${size / MiB} | ${s.mibps.toFixed(0)} | ${(s.mibps / raw.mibps).toFixed(2)} | ` +
          `${s.cpuMibps.toFixed(0)} | ${(s.cpuMibps / raw.cpuMibps).toFixed(2)} | ` +
          `${s.peakRssMiB.toFixed(0)} | ${s.peakHeapMiB.toFixed(1)} |`,
      );
    }
  }
  console.log(`\n(${(256 * MiB) / CHUNK} chunks per 256 MiB.)`);
}

await main();
