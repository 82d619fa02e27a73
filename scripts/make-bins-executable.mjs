#!/usr/bin/env node
// After `tsc -b`: give every package's `bin` files the execute bit, so `npx cairn` and
// `npx cairn-agent` work straight after a build (tsc writes files without it, and on a
// fresh clone `npm ci` runs before they exist, so npm cannot set it either).
import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
for (const pkg of readdirSync(join(root, 'packages'))) {
  const manifest = join(root, 'packages', pkg, 'package.json');
  if (!existsSync(manifest)) continue;
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8'));
  const files = typeof bin === 'string' ? [bin] : Object.values(bin ?? {});
  for (const rel of files) {
    const file = join(root, 'packages', pkg, rel);
    if (existsSync(file)) chmodSync(file, statSync(file).mode | 0o111);
  }
}
