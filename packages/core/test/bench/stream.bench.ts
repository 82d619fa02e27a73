/**
 * Streaming verification benchmark (run by scripts/run-bench.mjs with --expose-gc):
 * raw node:crypto SHA-256 vs verifyStream vs verifyBundle over the same 64 KiB chunks,
 * with peak memory sampled during each run. Prints a markdown table; exits 0.
 */
import { createHash, randomBytes } from 'node:crypto';
import { consumeAndVerify, verifyBundle, writeBundle } from '@cairn/core';
import type { PayloadDigest } from '@cairn/core';

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;
const REPEATS = 3;
const chunk = new Uint8Array(randomBytes(CHUNK));

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
  tick(): void {
    if (++this.#n % 64 !== 0) return;
    const m = process.memoryUsage();
    this.peakRss = Math.max(this.peakRss, m.rss);
    this.peakHeap = Math.max(this.peakHeap, m.heapUsed);
  }
}

// A source without awaits, as fast as a source can be: the overhead measured is ours.
// eslint-disable-next-line @typescript-eslint/require-await
async function* chunks(n: number, probe: MemoryProbe): AsyncGenerator<Uint8Array, void, undefined> {
  for (let i = 0; i < n; i++) {
    probe.tick();
    yield chunk;
  }
}

async function measure(bytes: number, run: (probe: MemoryProbe) => Promise<void>): Promise<Sample> {
  gc?.();
  const probe = new MemoryProbe();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await run(probe);
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

type Run = (probe: MemoryProbe) => Promise<void>;

/** Runs each case REPEATS times, interleaved (so background load hits all alike). */
async function repeatAll(cases: readonly { bytes: number; run: Run }[]): Promise<Sample[]> {
  const samples: Sample[][] = cases.map(() => []);
  for (let i = 0; i < REPEATS; i++) {
    for (const [j, c] of cases.entries()) samples[j]!.push(await measure(c.bytes, c.run));
  }
  return samples.map(summarize);
}

function summarize(samples: Sample[]): Sample {
  return {
    mibps: median(samples.map((s) => s.mibps)),
    cpuMibps: median(samples.map((s) => s.cpuMibps)),
    peakRssMiB: Math.max(...samples.map((s) => s.peakRssMiB)),
    peakHeapMiB: Math.max(...samples.map((s) => s.peakHeapMiB)),
  };
}

function expectedDigest(n: number): PayloadDigest {
  const h = createHash('sha256');
  for (let i = 0; i < n; i++) h.update(chunk);
  return { algorithm: 'sha-256', value: new Uint8Array(h.digest()) };
}

async function headOf(digest: PayloadDigest, size: number): Promise<Uint8Array> {
  // The bundle head, taken from the writer's first chunk (the payload is not generated).
  const it = writeBundle({
    envelope: Uint8Array.of(0xd8, 0x6b, 0xa0),
    payloads: [{ componentIndex: 0, size, source: (async function* () {})(), digest }],
  })[Symbol.asyncIterator]();
  const first = await it.next();
  await it.return?.();
  return first.value as Uint8Array;
}

const rows: string[] = [];
const row = (name: string, size: number, s: Sample, raw: Sample | undefined): void => {
  const ratio = (a: number, b: number | undefined): string =>
    b === undefined ? '1.00' : (a / b).toFixed(2);
  rows.push(
    `| ${name} | ${size / MiB} | ${s.mibps.toFixed(0)} | ${ratio(s.mibps, raw?.mibps)} | ` +
      `${s.cpuMibps.toFixed(0)} | ${ratio(s.cpuMibps, raw?.cpuMibps)} | ` +
      `${s.peakRssMiB.toFixed(0)} | ${s.peakHeapMiB.toFixed(1)} |`,
  );
};

function rawRun(n: number): Run {
  return (probe) => {
    const h = createHash('sha256');
    for (let i = 0; i < n; i++) {
      probe.tick();
      h.update(chunk);
    }
    h.digest();
    return Promise.resolve();
  };
}

function streamRun(n: number, digest: PayloadDigest): Run {
  return async (probe) => {
    await consumeAndVerify(chunks(n, probe), { digest, size: n * CHUNK });
  };
}

async function main(): Promise<void> {
  const big = 256 * MiB;
  const n = big / CHUNK;
  const digest = expectedDigest(n);
  const head = await headOf(digest, big);
  const bundleRun: Run = async (probe) => {
    async function* bundle(): AsyncGenerator<Uint8Array, void, undefined> {
      yield head;
      yield* chunks(n, probe);
    }
    await verifyBundle(bundle(), {
      verifyEnvelope: () => ({ components: [{ index: 0, digest, size: big }] }),
    });
  };
  const [raw, vs, vb] = await repeatAll([
    { bytes: big, run: rawRun(n) },
    { bytes: big, run: streamRun(n, digest) },
    { bytes: big, run: bundleRun },
  ]);
  row('raw node:crypto SHA-256', big, raw!, undefined);
  row('verifyStream', big, vs!, raw);
  row('verifyBundle (1 payload)', big, vb!, raw);

  const sizes = [64 * MiB, 1024 * MiB];
  const bySize = await repeatAll(
    sizes.map((size) => ({
      bytes: size,
      run: streamRun(size / CHUNK, expectedDigest(size / CHUNK)),
    })),
  );
  sizes.forEach((size, i) => {
    row('verifyStream', size, bySize[i]!, raw);
  });

  console.log(
    `64 KiB chunks (one chunk object reused), median of ${REPEATS} interleaved runs; CPU MiB/s = ` +
      'bytes per CPU-second of this process (robust to other load); peak memory sampled every ' +
      `64 chunks, max over runs${gc === undefined ? ' (run with --expose-gc for comparable memory figures)' : ''}.\n`,
  );
  console.log(
    '| measurement | payload MiB | MiB/s | ratio to raw | CPU MiB/s | CPU ratio | peak RSS MiB | peak heap MiB |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
}

await main();
