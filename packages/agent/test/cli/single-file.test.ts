import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireTools } from '@cairn/testkit';
import { AGENT_DIR, deviceDir, FACTORY, runCli, type Run } from './device-dir.js';

const exec = promisify(execFile);
let outDir = '';
let bin = '';

before(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'cairn-agent-single-'));
  bin = join(outDir, 'cairn-agent.mjs');
  await exec(process.execPath, [join(AGENT_DIR, 'scripts', 'build-single.mjs'), '--outfile', bin]);
  return () => rm(outDir, { recursive: true, force: true });
});

const json = (r: Run): unknown => JSON.parse(r.stdout);
const status = (r: Run): Status => json(r) as Status;
interface Status {
  bootedSlot: string;
  primary: string;
  counter: string;
  slots: Record<string, { state: string; device: string; image?: { sequenceNumber: string } }>;
  pending?: { slot: string };
}

test('the single-file build is one self-contained ESM file with a shebang', async () => {
  const text = await readFile(bin, 'utf8');
  assert.ok(text.startsWith('#!/usr/bin/env node\n'));
  assert.equal(text.match(/^#!/gm)?.length, 1, 'exactly one shebang');
  // nothing is imported but node built-ins (no @cairn/core, no node_modules)
  const imports = [...text.matchAll(/\bfrom\s*"([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(imports.length > 0);
  assert.deepEqual(
    imports.filter((s) => !s.startsWith('node:')),
    [],
  );
  assert.ok(((await stat(bin)).mode & 0o111) !== 0, 'executable');
  // runs from a directory with no node_modules anywhere above it
  const r = await runCli(bin, ['--help']);
  assert.equal(r.code, 0);
  const h = await runCli(bin, ['install', '--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /Usage: cairn-agent install/);
  assert.equal((await runCli(bin, ['frobnicate'])).code, 2, 'unknown command: usage');
  const missing = await runCli(bin, ['status', '--config', join(outDir, 'none.json')]);
  assert.equal(missing.code, 3, 'missing config: environment');
  assert.match(missing.stderr, /CONFIG_NOT_FOUND/);
});

test('install → reboot → boot-check commit, then rejections, status, mark-good/bad and log, all through the single file', async (t) => {
  if (!requireTools(t, ['fw_printenv', 'fw_setenv'])) return;
  const dev = await deviceDir(t);
  const cli = (...args: string[]): Promise<Run> => runCli(bin, ['--config', dev.config, ...args]);
  const fwenv = async (): Promise<string> =>
    (await exec('fw_printenv', ['-c', join(dev.dir, 'fw_env.config')])).stdout;

  const s0 = status(await cli('status', '--json'));
  assert.equal(s0.bootedSlot, 'A');
  assert.equal(s0.primary, 'A');
  assert.equal(s0.counter, '0');
  assert.equal(s0.slots['B']?.device, dev.slotB);

  const payload = Buffer.concat([Buffer.from('image v1\n'), Buffer.alloc(300_000, 7)]);
  const v1 = await dev.bundle('fw-1.0.cairn', { sequenceNumber: 5, payload, version: '1.0.0' });
  const inst = await cli('install', '--progress', v1);
  assert.equal(inst.code, 0, inst.stderr);
  assert.match(inst.stdout, /installed 1\.0\.0 \(sequence 5\) into slot B/);
  assert.match(inst.stdout, /reboot to try the new image/);
  assert.match(inst.stderr, /\(100 %\), [\d.]+ MiB\/s/, 'progress on stderr');
  assert.deepEqual(await readFile(dev.slotB), payload, 'inactive slot holds the image');
  assert.deepEqual(await readFile(dev.slotA), FACTORY, 'active slot untouched');
  assert.match(await fwenv(), /^BOOT_ORDER=B A$/m, 'trial boot armed in the U-Boot environment');

  const s1 = status(await cli('status', '--json'));
  assert.equal(s1.pending?.slot, 'B');
  assert.equal(s1.counter, '0', 'counter not raised before the commit');
  const again = await cli('install', v1);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /INSTALL_IN_PROGRESS/);

  await dev.bootInto('B');
  const boot = await cli('boot-check');
  assert.equal(boot.code, 0, boot.stderr);
  assert.match(boot.stdout, /committed slot B \(sequence 5\)/);
  const s2 = status(await cli('status', '--json'));
  assert.equal(s2.counter, '5', 'counter raised at commit');
  assert.equal(s2.slots['B']?.state, 'good');
  assert.equal(s2.slots['A']?.state, 'bad', 'the older slot is retired');
  assert.equal(s2.pending, undefined);

  // a validly signed older image is refused (downgrade) and the running slot is untouched
  const old = await dev.bundle('fw-0.9.cairn', { sequenceNumber: 3, payload: Buffer.from('old') });
  const down = await cli('install', '--json', old);
  assert.equal(down.code, 1);
  assert.equal((json(down) as { code: string }).code, 'DOWNGRADE');
  assert.match(down.stderr, /rejected: DOWNGRADE/);
  assert.deepEqual(await readFile(dev.slotB), payload, 'active slot B untouched');

  // a tampered payload is caught while streaming
  const good = await readFile(await dev.bundle('fw-2.cairn', { sequenceNumber: 6, payload }));
  good[good.length - 1] = good.at(-1)! ^ 1;
  const tampered = join(dev.dir, 'fw-2-tampered.cairn');
  await writeFile(tampered, good);
  const bad = await cli('install', tampered);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /PAYLOAD_DIGEST_MISMATCH/);
  assert.deepEqual(await readFile(dev.slotB), payload, 'active slot B untouched');

  const log = await cli('log', '--json', '--verify');
  assert.equal(log.code, 0, log.stderr);
  assert.match(log.stderr, /hash chain intact/);
  const entries = json(log) as { event: string; code?: string }[];
  assert.deepEqual(
    entries.map((e) => (e.code ? `${e.event}:${e.code}` : e.event)),
    [
      'VERIFIED',
      'WRITTEN',
      'TRIAL_BOOT',
      'REJECTED:INSTALL_IN_PROGRESS',
      'COMMITTED',
      'REJECTED:DOWNGRADE',
      'REJECTED:PAYLOAD_DIGEST_MISMATCH',
    ],
  );
  const text = await cli('log');
  assert.match(text.stdout, /#5 \S+ REJECTED\s+slot=A code=DOWNGRADE/);

  const mb = await cli('mark-bad');
  assert.equal(mb.code, 0);
  assert.match(mb.stdout, /slot B marked bad/);
  assert.match(await fwenv(), /^BOOT_B_LEFT=0$/m);
  assert.equal(status(await cli('status', '--json')).slots['B']?.state, 'bad');
  const mg = await cli('mark-good');
  assert.equal(mg.code, 0);
  assert.match(mg.stdout, /slot B marked good/);
  assert.equal(status(await cli('status', '--json')).slots['B']?.state, 'good');
  const human = await cli('status');
  assert.match(human.stdout, /anti-rollback:\s+5/);
  assert.match(human.stdout, /slot B:\s+good .* 1\.0\.0 seq 5/);

  // an edited log record breaks the chain: log --verify fails with the code
  const logFile = join(dev.dir, 'data', 'install.log');
  const lines = (await readFile(logFile, 'utf8')).replace('"DOWNGRADE"', '"ABORTED"');
  await writeFile(logFile, lines);
  const broken = await cli('log', '--verify');
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /LOG_CORRUPT/);
});
