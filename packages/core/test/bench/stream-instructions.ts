/**
 * Load-independent figures for the streaming benchmark: instructions per payload byte,
 * counted by valgrind (callgrind), for each case of stream-cases.ts. Each case runs in its
 * own `node` under valgrind at two payload sizes; the difference of the two counts,
 * divided by the difference of the sizes, cancels start-up and compilation.
 *
 *   node packages/core/dist/test/bench/stream-instructions.js   (after `npm run build`)
 *
 * Takes a few minutes. Valgrind hides CPU features it cannot emulate (SHA-NI, AVX), so
 * OpenSSL hashes with its generic x86-64 code here: the per-byte cost of hashing is
 * higher than on the real CPU, and ratios read accordingly (see docs/benchmarks.md).
 * With `--case NAME --mib N` it is the measured child process itself.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CASES, CHUNK, makeRuns, MiB } from './stream-cases.js';
import type { CaseName } from './stream-cases.js';

const SMALL_MIB = 16;
const LARGE_MIB = 64;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

function instructions(name: CaseName, mib: number): number {
  const res = spawnSync(
    'valgrind',
    [
      '--tool=callgrind',
      '--callgrind-out-file=/dev/null',
      process.execPath,
      fileURLToPath(import.meta.url),
      '--case',
      name,
      '--mib',
      String(mib),
    ],
    { encoding: 'utf8' },
  );
  const m = /Collected : (\d+)/.exec(res.stderr);
  if (res.status !== 0 || m === null) {
    throw new Error(`valgrind run of ${name} at ${mib} MiB failed:\n${res.stderr.slice(-2000)}`);
  }
  return Number(m[1]);
}

async function child(name: string, mib: number): Promise<void> {
  const runs = await makeRuns(mib * MiB, 'zero');
  const run = runs[name as CaseName] as (typeof runs)[CaseName] | undefined;
  if (run === undefined) throw new Error(`unknown case ${name}; one of ${CASES.join(', ')}`);
  await run(() => undefined);
}

function main(): void {
  const bytes = (LARGE_MIB - SMALL_MIB) * MiB;
  const chunks = bytes / CHUNK;
  const perByte = new Map<CaseName, number>();
  for (const name of CASES) {
    perByte.set(name, (instructions(name, LARGE_MIB) - instructions(name, SMALL_MIB)) / bytes);
  }
  const raw = perByte.get('raw')!;
  console.log(
    `valgrind --tool=callgrind, 64 KiB chunks, (Ir at ${LARGE_MIB} MiB − Ir at ${SMALL_MIB} MiB) ` +
      `/ ${LARGE_MIB - SMALL_MIB} MiB.\n`,
  );
  console.log(
    '| measurement | instructions / byte | ratio raw / this | extra instructions / chunk |',
  );
  console.log('|---|---:|---:|---:|');
  for (const name of CASES) {
    const x = perByte.get(name)!;
    console.log(
      `| ${name === 'raw' ? 'raw node:crypto SHA-256' : name} | ${x.toFixed(3)} | ` +
        `${(raw / x).toFixed(3)} | ${(((x - raw) * bytes) / chunks).toFixed(0)} |`,
    );
  }
}

const name = arg('--case');
if (name === undefined) main();
else await child(name, Number(arg('--mib')));
