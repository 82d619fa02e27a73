/**
 * Install benchmark (run by scripts/run-bench.mjs with --expose-gc; `npm run bench -- install`):
 * a signed .cairn bundle of a 256 MiB and a 1 GiB payload, installed by UpdateAgent into a
 * FileSlotStorage slot file (verify while streaming, fsync, read back), against a raw
 * copy-and-hash of the same payload file in the same run (1 MiB reads → SHA-256 → write →
 * fsync), with and without a read-back pass. Peak RSS is sampled throughout each run.
 * Temp files live under $TMPDIR and are removed. Sizes: CAIRN_BENCH_SIZES_MIB="256,1024".
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { anchorFromPem, writeBundle } from '@cairn/core';
import {
  EnvBootControl,
  FileCounterStore,
  FileEnvStore,
  FileSlotStorage,
  InstallLog,
  NodeDisk,
  readFileChunks,
  StateStore,
  UpdateAgent,
} from '@cairn/agent';
import type { FirmwareFixture } from '@cairn/testkit';

const MiB = 1024 * 1024;
const CHUNK = MiB;
const SIZES = (process.env['CAIRN_BENCH_SIZES_MIB'] ?? '256,1024')
  .split(',')
  .map((s) => Number(s) * MiB);
const REPEATS = Number(process.env['CAIRN_BENCH_REPEATS'] ?? 3);
const gc = (globalThis as { gc?: () => void }).gc;

/** Peak RSS, sampled by a timer and by the code under test (per chunk). */
class RssProbe {
  peak = 0;
  readonly #timer: NodeJS.Timeout;
  constructor() {
    this.sample();
    this.#timer = setInterval(() => {
      this.sample();
    }, 10);
  }
  sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
  }
  stop(): number {
    clearInterval(this.#timer);
    this.sample();
    return this.peak;
  }
}

interface Sample {
  /** RSS of the fresh process before the run (node itself and the loaded modules). */
  readonly startRssMiB?: number;
  readonly mibps: number;
  /** MiB per CPU-second of this process: less sensitive to other load on the machine. */
  readonly cpuMibps: number;
  readonly peakRssMiB: number;
}

async function measure(bytes: number, run: (probe: RssProbe) => Promise<void>): Promise<Sample> {
  gc?.();
  const probe = new RssProbe();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  try {
    await run(probe);
  } finally {
    probe.stop();
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  return {
    mibps: bytes / MiB / seconds,
    cpuMibps: bytes / MiB / ((cpu.user + cpu.system) / 1e6),
    peakRssMiB: probe.peak / MiB,
  };
}

/** Random-looking payload, streamed to disk (never held in memory), with its SHA-256. */
async function makePayload(path: string, size: number): Promise<Uint8Array> {
  const block = randomBytes(CHUNK);
  const h = createHash('sha256');
  const fh = await open(path, 'w');
  try {
    for (let off = 0, i = 0; off < size; off += CHUNK, i++) {
      block.writeUInt32BE(i, (i * 64) % (CHUNK - 4)); // no two chunks alike
      const n = Math.min(CHUNK, size - off);
      h.update(block.subarray(0, n));
      await fh.write(block, 0, n, off);
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  return new Uint8Array(h.digest());
}

async function makeBundle(
  fx: FirmwareFixture,
  makeTestEnvelope: typeof import('@cairn/testkit').makeTestEnvelope,
  payload: string,
  size: number,
  sha256: Uint8Array,
  out: string,
): Promise<void> {
  const envelope = await makeTestEnvelope(fx, {
    sequenceNumber: 1,
    payload: new Uint8Array(0),
    declaredSha256: sha256,
    declaredSize: size,
    version: `bench-${size / MiB}MiB`,
  });
  const stream = writeBundle({
    envelope,
    payloads: [
      {
        componentIndex: 0,
        size,
        source: createReadStream(payload, { highWaterMark: CHUNK }),
        digest: { algorithm: 'sha-256', value: sha256 },
      },
    ],
  });
  await pipeline(Readable.from(stream), createWriteStream(out));
  const fh = await open(out, 'r+'); // on disk before timing starts: no writeback of it during runs
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The baseline: read 1 MiB → hash → write → fsync; optionally read the copy back and hash it. */
async function copyAndHash(
  from: string,
  to: string,
  readBack: boolean,
  probe: RssProbe,
): Promise<void> {
  const buf = Buffer.allocUnsafe(CHUNK);
  const src = await open(from, 'r');
  const dst = await open(to, 'w');
  const h = createHash('sha256');
  let pos = 0;
  try {
    for (;;) {
      const { bytesRead } = await src.read(buf, 0, CHUNK, pos);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      await dst.write(buf, 0, bytesRead, pos);
      pos += bytesRead;
      probe.sample();
    }
    await dst.sync();
  } finally {
    await src.close();
    await dst.close();
  }
  h.digest();
  if (!readBack) return;
  const back = await open(to, 'r');
  const h2 = createHash('sha256');
  try {
    for (let p = 0; p < pos;) {
      const { bytesRead } = await back.read(buf, 0, CHUNK, p);
      if (bytesRead === 0) break;
      h2.update(buf.subarray(0, bytesRead));
      p += bytesRead;
      probe.sample();
    }
  } finally {
    await back.close();
  }
  h2.digest();
}

async function* sampled(
  src: AsyncIterable<Uint8Array>,
  probe: RssProbe,
): AsyncGenerator<Uint8Array, void, undefined> {
  for await (const c of src) {
    probe.sample();
    yield c;
  }
}

/** A fresh device (slot A holds a factory image, B is the target) and one install into it. */
interface DeviceIdentity {
  readonly anchorPem: string;
  readonly vendorId: string;
  readonly classId: string;
}

async function agentInstall(
  fx: DeviceIdentity,
  dir: string,
  bundle: string,
  probe: RssProbe,
): Promise<void> {
  const disk = new NodeDisk();
  const data = join(dir, 'data');
  await rm(data, { recursive: true, force: true });
  await mkdir(data, { recursive: true });
  await writeFile(join(dir, 'slot-a.img'), 'factory');
  const slots = new FileSlotStorage({ A: join(dir, 'slot-a.img'), B: join(dir, 'slot-b.img') });
  const agent = new UpdateAgent({
    slots,
    boot: new EnvBootControl(new FileEnvStore(disk, join(data, 'bootenv'))),
    counter: new FileCounterStore(disk, join(data, 'counter')),
    state: new StateStore(disk, join(data, 'state.json')),
    log: new InstallLog(disk, join(data, 'install.log')),
    anchors: [anchorFromPem(fx.anchorPem)],
    identity: {
      vendorId: new Uint8Array(Buffer.from(fx.vendorId, 'hex')),
      classId: new Uint8Array(Buffer.from(fx.classId, 'hex')),
    },
    bootedSlot: () => Promise.resolve('A'),
  });
  const res = await agent.install(sampled(readFileChunks(bundle, { chunkSize: CHUNK }), probe), {
    origin: `file:${bundle}`,
  });
  if (res.slot !== 'B') throw new Error(`installed into ${res.slot}, expected B`);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function summarize(samples: readonly Sample[]): Sample {
  return {
    mibps: median(samples.map((s) => s.mibps)),
    cpuMibps: median(samples.map((s) => s.cpuMibps)),
    peakRssMiB: Math.max(...samples.map((s) => s.peakRssMiB)),
    startRssMiB: Math.max(...samples.map((s) => s.startRssMiB ?? 0)),
  };
}

type CaseName = 'baseline' | 'baseline-readback' | 'agent';
const CASES: readonly {
  readonly id: CaseName;
  readonly name: string;
  readonly node: readonly string[];
}[] = [
  { id: 'baseline', name: 'raw copy-and-hash (baseline)', node: [] },
  { id: 'baseline-readback', name: 'raw copy-and-hash + read-back pass', node: [] },
  { id: 'agent', name: 'UpdateAgent.install (incl. read-back)', node: [] },
  {
    id: 'agent',
    name: 'UpdateAgent.install, node --max-semi-space-size=1',
    node: ['--max-semi-space-size=1'],
  },
];

/** Child mode: one measurement in a fresh process that loads only what the case needs. */
async function child(id: CaseName, dir: string, size: number): Promise<void> {
  gc?.();
  const startRssMiB = process.memoryUsage.rss() / MiB; // node + loaded modules, before any I/O
  const payload = join(dir, 'payload.bin');
  const sample = await measure(size, async (probe) => {
    if (id === 'agent') {
      const device = JSON.parse(await readFile(join(dir, 'device.json'), 'utf8')) as DeviceIdentity;
      await agentInstall(device, dir, join(dir, 'payload.cairn'), probe);
    } else {
      await copyAndHash(payload, join(dir, 'copy.img'), id === 'baseline-readback', probe);
    }
  });
  // the kernel's high-water mark of this process, in KiB on Linux
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({ ...sample, startRssMiB, peakRssMiB: Math.max(sample.peakRssMiB, maxRssMiB) }),
  );
}

function runChild(c: (typeof CASES)[number], dir: string, size: number): Promise<Sample> {
  const id = c.id;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...c.node, '--expose-gc', import.meta.filename, '--child', id, dir, String(size)],
      { timeout: 600_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${id}: ${stderr || err.message}`));
        else resolve(JSON.parse(stdout) as Sample);
      },
    );
  });
}

async function main(): Promise<void> {
  const { createFirmwareFixture, makeTestEnvelope } = await import('@cairn/testkit');
  const dir = await mkdtemp(join(tmpdir(), 'cairn-install-bench-'));
  const rows: string[] = [];
  try {
    const fx = await createFirmwareFixture({ alg: 'P-256' });
    const device: DeviceIdentity = {
      anchorPem: fx.anchorPem,
      vendorId: Buffer.from(fx.vendorId).toString('hex'),
      classId: Buffer.from(fx.classId).toString('hex'),
    };
    await writeFile(join(dir, 'device.json'), JSON.stringify(device));
    for (const size of SIZES) {
      const payload = join(dir, 'payload.bin');
      const bundle = join(dir, 'payload.cairn');
      const sha256 = await makePayload(payload, size);
      await makeBundle(fx, makeTestEnvelope, payload, size, sha256, bundle);
      const samples: Sample[][] = CASES.map(() => []);
      for (let i = 0; i < REPEATS; i++) {
        for (let k = 0; k < CASES.length; k++) {
          const j = (i + k) % CASES.length; // rotate the order: no case always runs first
          await rm(join(dir, 'copy.img'), { force: true });
          await rm(join(dir, 'slot-b.img'), { force: true });
          samples[j]!.push(await runChild(CASES[j]!, dir, size));
        }
      }
      const summary = samples.map(summarize);
      const [base, baseRb] = summary as [Sample, Sample];
      const r = (a: number, b: number): string => (a / b).toFixed(2);
      for (const [j, s] of summary.entries()) {
        rows.push(
          `| ${CASES[j]!.name} | ${size / MiB} | ${s.mibps.toFixed(0)} | ${r(s.mibps, base.mibps)} | ` +
            `${r(s.mibps, baseRb.mibps)} | ${s.cpuMibps.toFixed(0)} | ${r(s.cpuMibps, baseRb.cpuMibps)} | ` +
            `${(s.startRssMiB ?? 0).toFixed(0)} | ${s.peakRssMiB.toFixed(0)} |`,
        );
      }
      await rm(payload, { force: true });
      await rm(bundle, { force: true });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log(
    `Payload file → slot file on ${tmpdir()}, 1 MiB chunks, median of ${REPEATS} interleaved runs, ` +
      'each in a fresh node process. CPU MiB/s = bytes per CPU-second of that process (robust to ' +
      'other load on the machine). Peak RSS = the whole node process (kernel maxRSS, and sampled ' +
      'every 10 ms and per chunk), max over runs. The agent reads the written slot back once to ' +
      'verify it, so the fair comparison is the baseline with a read-back pass.\n',
  );
  console.log(
    '| measurement | MiB | MiB/s | ratio to baseline | ratio to baseline + read-back | CPU MiB/s | CPU ratio to baseline + read-back | RSS at start MiB | peak RSS MiB |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
}

if (process.argv[2] === '--child') {
  await child(process.argv[3] as CaseName, process.argv[4]!, Number(process.argv[5]));
} else {
  await main();
}
