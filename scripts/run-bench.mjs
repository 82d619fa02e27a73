#!/usr/bin/env node
// Runs every compiled benchmark (packages/*/dist/test/bench/*.bench.js), each in its own
// node process (with --expose-gc, so memory figures are not skewed by other benchmarks).
// Usage: node scripts/run-bench.mjs [filter ...]   e.g. `npm run bench -- stream`
// Each benchmark prints its own markdown table; copy the figures into docs/benchmarks.md.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import os from 'node:os';

const root = resolve(import.meta.dirname, '..');
const filters = process.argv.slice(2);
const benches = [];
for (const pkg of readdirSync(join(root, 'packages')).sort()) {
  const dir = join(root, 'packages', pkg, 'dist', 'test', 'bench');
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.bench.js')) continue;
    const file = join(dir, f);
    if (filters.length === 0 || filters.some((x) => file.includes(x))) benches.push(file);
  }
}
if (benches.length === 0) {
  console.error('run-bench: no benchmarks matched; run `npm run build` first');
  process.exit(1);
}
console.log(
  `# Cairn benchmarks — ${new Date().toISOString()}\n` +
    `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ` +
    `${Math.round(os.totalmem() / 2 ** 30)} GiB\n`,
);
let failed = 0;
for (const file of benches) {
  console.log(`\n## ${relative(root, file)}\n`);
  const res = spawnSync(process.execPath, ['--expose-gc', file], { stdio: 'inherit', cwd: root });
  if (res.status !== 0) {
    failed++;
    console.error(`run-bench: ${relative(root, file)} exited with ${res.status ?? res.signal}`);
  }
}
process.exit(failed ? 1 : 0);
