#!/usr/bin/env node
// Bundles the compiled agent CLI (dist/bin/cairn-agent.js) and @cairn/core into one ESM
// file for deployment: dist/cairn-agent.mjs (node built-ins stay external; Node >= 20.19).
// Run `tsc -b packages/agent` first (npm run build). Prints the size, raw and gzipped.
// Usage: node scripts/build-single.mjs [--outfile FILE] [--no-minify] [--json]
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const pkgDir = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    outfile: { type: 'string' },
    'no-minify': { type: 'boolean' },
    json: { type: 'boolean' },
  },
});
const entry = join(pkgDir, 'dist', 'bin', 'cairn-agent.js');
if (!existsSync(entry)) {
  console.error(`build-single: ${entry} is missing; run \`npx tsc -b packages/agent\` first`);
  process.exit(3);
}
const outfile = resolve(values.outfile ?? join(pkgDir, 'dist', 'cairn-agent.mjs'));
const minify = values['no-minify'] !== true;

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  minify,
  // error classes name themselves (this.name = new.target.name): keep the names
  keepNames: true,
  legalComments: 'eof',
  logLevel: 'warning',
  absWorkingDir: dirname(pkgDir),
});
chmodSync(outfile, 0o755);

const bytes = statSync(outfile).size;
const gzipped = gzipSync(readFileSync(outfile), { level: 9 }).length;
if (values.json) console.log(JSON.stringify({ outfile, bytes, gzipped, minify }));
else
  console.log(`${outfile}: ${bytes} bytes (${gzipped} gzipped)${minify ? '' : ', not minified'}`);
