import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AGENT_EXIT, readFileChunks, runAgentCli, type CliIo } from '@cairn/agent';
import { requireTools } from '@cairn/testkit';
import { deviceDir, DIST_BIN, FACTORY, runCli, tmpDir } from './device-dir.js';

/** Run the CLI in-process with captured output. */
async function cli(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    out: (s) => (stdout += s),
    err: (s) => (stderr += s),
    errIsTty: false,
  };
  const code = await runAgentCli(args, { io, env });
  return { code, stdout, stderr };
}

test('usage errors exit 2, help exits 0', async () => {
  assert.equal((await cli([])).code, AGENT_EXIT.USAGE);
  assert.equal((await cli(['--help'])).code, AGENT_EXIT.OK);
  assert.equal((await cli(['help'])).code, AGENT_EXIT.OK);
  const unknown = await cli(['upgrade']);
  assert.equal(unknown.code, AGENT_EXIT.USAGE);
  assert.match(unknown.stderr, /unknown command 'upgrade'/);
  assert.equal((await cli(['--config'])).code, AGENT_EXIT.USAGE);
  assert.equal((await cli(['--verbose', 'status'])).code, AGENT_EXIT.USAGE);
  assert.equal((await cli(['status', 'extra'])).code, AGENT_EXIT.USAGE);
  assert.equal((await cli(['install', 'a', 'b'])).code, AGENT_EXIT.USAGE);
  const top = await cli(['--help']);
  for (const c of ['install', 'status', 'boot-check', 'mark-good', 'mark-bad', 'log', 'run']) {
    assert.match(top.stdout, new RegExp(`\\n  ${c} `), `--help lists ${c}`);
    const h = await cli([c, '--help']);
    assert.equal(h.code, AGENT_EXIT.OK, `${c} --help`);
    assert.match(h.stdout, new RegExp(`^Usage: cairn-agent ${c}`));
    assert.match(h.stdout, /Exit codes/);
  }
  assert.equal((await cli(['status', '--bogus'])).code, AGENT_EXIT.USAGE, 'unknown option');
  assert.equal((await cli(['install'])).code, AGENT_EXIT.USAGE, 'missing FILE');
  const help = await cli(['--help', 'install']);
  assert.equal(help.code, AGENT_EXIT.OK);
  assert.match(help.stdout, /Usage: cairn-agent install/);
});

test('configuration and environment problems exit 3 and name the problem', async (t) => {
  const dir = await tmpDir(t);
  const missing = await cli(['status'], { CAIRN_AGENT_CONFIG: join(dir, 'agent.json') });
  assert.equal(missing.code, AGENT_EXIT.ENVIRONMENT);
  assert.match(
    missing.stderr,
    /CONFIG_NOT_FOUND: agent configuration .*agent\.json does not exist/,
  );
  await writeFile(join(dir, 'agent.json'), JSON.stringify({ slots: { A: 'a' } }));
  const invalid = await cli(['-c', join(dir, 'agent.json'), 'status']);
  assert.equal(invalid.code, AGENT_EXIT.ENVIRONMENT);
  for (const field of [
    'device is required',
    'trust is required',
    'slots an A/B device',
    'boot is required',
    'counter is required',
  ]) {
    assert.ok(invalid.stderr.includes(field), `names "${field}": ${invalid.stderr}`);
  }
  const dev = await deviceDir(t);
  const noFile = await cli(['install', join(dir, 'nope.cairn'), '--config', dev.config]);
  assert.equal(noFile.code, AGENT_EXIT.ENVIRONMENT);
  assert.match(noFile.stderr, /FILE_UNREADABLE: cannot read bundle .*nope\.cairn \(ENOENT\)/);
  const noOta = await cli(['run', '--once', '--config', dev.config]);
  assert.equal(noOta.code, AGENT_EXIT.ENVIRONMENT);
  assert.match(noOta.stderr, /no "ddi" section/);
});

test('a failing health check rejects the trial (exit 1), the next boot falls back and the counter stays', async (t) => {
  if (!requireTools(t, ['fw_printenv', 'fw_setenv'])) return;
  const dev = await deviceDir(t, {
    healthCheck: { command: '/bin/sh', args: ['-c', 'echo unhealthy >&2; exit 4'] },
  });
  const bundle = await dev.bundle('fw.cairn', {
    sequenceNumber: 2,
    payload: Buffer.from('v2 image'),
  });
  const args = (...a: string[]): string[] => ['--config', dev.config, ...a];
  const inst = await runCli(DIST_BIN, args('install', '--json', bundle));
  assert.equal(inst.code, 0, inst.stderr);
  const res = JSON.parse(inst.stdout) as {
    result: string;
    slot: string;
    sequenceNumber: string;
    device: string;
  };
  assert.deepEqual(
    [res.result, res.slot, res.sequenceNumber, res.device],
    ['installed', 'B', '2', dev.slotB],
  );
  await dev.bootInto('B');
  const trial = await runCli(DIST_BIN, args('boot-check'));
  assert.equal(trial.code, 1);
  assert.match(trial.stderr, /unhealthy/, 'the health check output reaches stderr');
  assert.match(trial.stderr, /HEALTH_CHECK_FAILED: exit status 4/);
  assert.match(trial.stdout, /slot B failed its health check/);
  // the bootloader sees B without attempts and boots A
  await dev.bootInto('A');
  const back = await cli(args('boot-check', '--json'));
  assert.equal(back.code, 0, back.stderr);
  assert.deepEqual(JSON.parse(back.stdout), { outcome: 'fell-back', slot: 'A', failedSlot: 'B' });
  const status = JSON.parse((await cli(args('status', '--json'))).stdout) as {
    counter: string;
    lastResult: { outcome: string; code: string };
  };
  assert.equal(status.counter, '0');
  assert.deepEqual(
    [status.lastResult.outcome, status.lastResult.code],
    ['fell-back', 'TRIAL_BOOT_FAILED'],
  );
  assert.deepEqual(await readFile(dev.slotA), FACTORY);
  const idle = await cli(args('boot-check'));
  assert.match(idle.stdout, /running slot A; no trial pending/);
  // mark-good on a pending trial commits it, exactly like a passing health check
  const again = await cli(args('install', bundle));
  assert.equal(again.code, 0, again.stderr);
  await dev.bootInto('B');
  const mg = await cli(args('mark-good', '--json'));
  assert.deepEqual(JSON.parse(mg.stdout), { outcome: 'committed', slot: 'B', sequenceNumber: '2' });
});

test('a multi-MiB bundle installs through the reused read buffers (file boot environment, no tools)', async (t) => {
  const dev = await deviceDir(t, { boot: { backend: 'file', path: 'bootenv' } });
  // 5.5 MiB: six 1 MiB reads, so the ring of three buffers wraps twice
  const payload = randomBytes(5.5 * 1024 * 1024);
  const bundle = await dev.bundle('big.cairn', { sequenceNumber: 9, payload, version: '9' });
  const r = await cli(['--config', dev.config, 'install', '--progress', bundle]);
  assert.equal(r.code, AGENT_EXIT.OK, r.stderr);
  assert.match(r.stderr, /5\.5 MiB \/ 5\.5 MiB \(100 %\)/);
  assert.deepEqual(await readFile(dev.slotB), payload);
  assert.match(await readFile(join(dev.dir, 'bootenv'), 'utf8'), /^BOOT_ORDER=B A$/m);

  // the chunks: in order, complete, from a fixed set of buffers
  const seen = new Set<ArrayBufferLike>();
  const parts: Buffer[] = [];
  for await (const c of readFileChunks(bundle, { chunkSize: 1024 * 1024, ring: 3 })) {
    seen.add(c.buffer);
    parts.push(Buffer.from(c));
  }
  assert.deepEqual(Buffer.concat(parts), await readFile(bundle));
  assert.equal(seen.size, 3, 'three buffers reused in turn');
});
