// `npx cairn` and `npx cairn-agent` (the README's tour) need node_modules/.bin links to the
// compiled bins. On a fresh clone `npm ci` runs before the bins are compiled, and npm 11
// then links nothing, so the build's scripts/link-bins.mjs makes the links.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '@cairn/testkit';

const root = repoRoot();

for (const [command, pkg, file] of [
  ['cairn', 'cli', 'dist/bin/cairn.js'],
  ['cairn-agent', 'agent', 'dist/bin/cairn-agent.js'],
] as const) {
  test(`node_modules/.bin/${command} runs the built ${pkg} bin (npx ${command})`, () => {
    const bin = join(root, 'node_modules', '.bin', command);
    assert.equal(realpathSync(bin), realpathSync(join(root, 'packages', pkg, file)));
    assert.ok((statSync(bin).mode & 0o111) !== 0, `${command} is not executable`);
    const r = spawnSync(bin, ['--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Usage: ${command} `));
  });
}

test('link-bins makes missing links, replaces stale ones and sets the execute bit', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-link-bins-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  // a repository as a fresh `npm ci` leaves it: workspace package linked, .bin empty
  mkdirSync(join(dir, 'scripts'));
  copyFileSync(join(root, 'scripts', 'link-bins.mjs'), join(dir, 'scripts', 'link-bins.mjs'));
  mkdirSync(join(dir, 'packages', 'tool', 'dist', 'bin'), { recursive: true });
  writeFileSync(
    join(dir, 'packages', 'tool', 'package.json'),
    JSON.stringify({ name: '@demo/tool', bin: { 'demo-tool': './dist/bin/tool.js' } }),
  );
  writeFileSync(
    join(dir, 'packages', 'tool', 'dist', 'bin', 'tool.js'),
    "#!/usr/bin/env node\nconsole.log('demo tool ran');\n",
    { mode: 0o644 },
  );
  mkdirSync(join(dir, 'node_modules', '@demo'), { recursive: true });
  symlinkSync('../../packages/tool', join(dir, 'node_modules', '@demo', 'tool'));
  mkdirSync(join(dir, 'node_modules', '.bin'));
  const link = join(dir, 'node_modules', '.bin', 'demo-tool');
  const run = (): void => {
    const r = spawnSync(process.execPath, [join(dir, 'scripts', 'link-bins.mjs')], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readlinkSync(link), '../@demo/tool/dist/bin/tool.js');
    const out = spawnSync(link, [], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.stdout, 'demo tool ran\n');
  };
  run(); // missing link
  run(); // again: unchanged
  rmSync(link);
  symlinkSync('../somewhere/else.js', link);
  run(); // stale link replaced
});
