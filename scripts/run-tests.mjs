#!/usr/bin/env node
// Runs every compiled test (packages/*/dist/**/*.test.js) with node's test runner.
// Usage: node scripts/run-tests.mjs [packages/core ...]   (default: all packages)
// The build must have run first (`npm test` does it).
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const passthrough = process.argv.slice(2).filter((a) => a.startsWith('--'));
const pkgDirs = args.length
  ? args.map((a) => resolve(a))
  : readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

const files = [];
for (const dir of pkgDirs) {
  const dist = join(dir, 'dist');
  if (existsSync(dist)) walk(dist, files);
}
if (files.length === 0) {
  console.error('run-tests: no compiled tests found; run `npm run build` first');
  process.exit(1);
}
files.sort();
const res = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-reporter=spec', ...passthrough, ...files],
  { stdio: 'inherit', cwd: root },
);
process.exit(res.status ?? 1);
