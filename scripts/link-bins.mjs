#!/usr/bin/env node
// After `tsc -b`: make every workspace package's `bin` files runnable as `npx cairn` and
// `npx cairn-agent`. On a fresh clone `npm ci` runs before the compiled files exist, so
// npm neither sets their execute bit nor links them into node_modules/.bin (npm 11 skips
// a bin whose file is missing). This gives each file the execute bit and makes the
// link npm would have made (`node_modules/.bin/<name>` → `../<package>/<file>`).
import {
  chmodSync,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { join, posix, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const binDir = join(root, 'node_modules', '.bin');

/** Point node_modules/.bin/<name> at `target` (relative), replacing a stale entry atomically. */
function link(name, target) {
  const path = join(binDir, name);
  let current;
  try {
    current = lstatSync(path).isSymbolicLink() ? readlinkSync(path) : '(not a link)';
  } catch {
    current = undefined;
  }
  if (current === target) return;
  const tmp = `${path}.${process.pid}.tmp`;
  rmSync(tmp, { force: true }); // a leftover, even a dangling link
  symlinkSync(target, tmp);
  renameSync(tmp, path);
}

for (const pkg of readdirSync(join(root, 'packages'))) {
  const manifest = join(root, 'packages', pkg, 'package.json');
  if (!existsSync(manifest)) continue;
  const { name, bin } = JSON.parse(readFileSync(manifest, 'utf8'));
  const entries =
    typeof bin === 'string' ? [[name.split('/').pop(), bin]] : Object.entries(bin ?? {});
  for (const [command, rel] of entries) {
    const file = join(root, 'packages', pkg, rel);
    if (!existsSync(file)) continue;
    chmodSync(file, statSync(file).mode | 0o111);
    // npm makes .cmd shims on Windows instead of links; leave those to `npm ci` there
    if (process.platform !== 'win32' && existsSync(binDir))
      link(command, posix.join('..', name, posix.normalize(rel)));
  }
}
