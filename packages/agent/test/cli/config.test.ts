import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { generateNoteKey, ValidationError } from '@cairn/core';
import {
  applyEnvOverrides,
  bootedSlotReader,
  createAgentRuntime,
  formatProgress,
  loadAgentConfig,
  parseAgentConfig,
  slotFromCmdline,
} from '@cairn/agent';
import { assertRejectsCode, assertThrowsCode } from '@cairn/testkit';
import { tmpDir } from './device-dir.js';

const PIN = 'a'.repeat(64);
const minimal = {
  device: {
    vendorId: 'fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe',
    classId: '1492af14-2569-5e48-bf42-9b2d51f2ab45',
  },
  trust: { pins: [PIN] },
  slots: { A: '/dev/mmcblk0p2', B: '/dev/mmcblk0p3' },
  boot: { backend: 'uboot' },
  counter: { backend: 'tpm', tcti: 'device:/dev/tpmrm0' },
};

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ValidationError, String(err));
    return err.issues.map((i) => i.path);
  }
  assert.fail('expected a ValidationError');
}

test('a minimal configuration gets its documented defaults', () => {
  const c = parseAgentConfig(minimal, { baseDir: '/etc/cairn' });
  assert.equal(Buffer.from(c.device.vendorId).toString('hex'), 'fa6b4a53d5ad5fdfbe9de663e4d41ffe');
  assert.deepEqual(c.bootedSlot, { source: 'cmdline', path: '/proc/cmdline' });
  assert.deepEqual(c.boot, { backend: 'uboot', attempts: 3 });
  assert.equal(c.dataDir, '/var/lib/cairn');
  assert.deepEqual(c.counter, { backend: 'tpm', tcti: 'device:/dev/tpmrm0' });
  assert.deepEqual(c.trust, { anchors: [], pins: [PIN], crls: [] });
  assert.equal(c.ddi, undefined);
  assert.equal(c.healthCheck, undefined);
});

test('relative paths resolve against the configuration directory; every backend parses', () => {
  const c = parseAgentConfig(
    {
      ...minimal,
      trust: {
        anchors: ['anchors/root.pem'],
        crls: ['/etc/cairn/ca.crl'],
        transparency: {
          verifierKey: generateNoteKey('example.com/log').verifierKey,
        },
      },
      slots: { a: 'a.img', b: 'b.img' },
      bootedSlot: { source: 'fixed', slot: 'b' },
      boot: { backend: 'grub', envFile: 'grubenv', attempts: 5 },
      counter: { backend: 'file' },
      dataDir: 'data',
      healthCheck: { command: 'bin/health', args: ['--quick'] },
      ddi: {
        url: 'https://ota.example.com',
        tenant: 'DEFAULT',
        controllerId: 'dev-1',
        tokenFile: 'token',
      },
    },
    { baseDir: '/opt/dev' },
  );
  assert.deepEqual(c.trust.anchors, ['/opt/dev/anchors/root.pem']);
  assert.equal(c.trust.transparency?.required, true, 'a configured log is required by default');
  assert.deepEqual(c.slots, { a: '/opt/dev/a.img', b: '/opt/dev/b.img' });
  assert.deepEqual(c.boot, { backend: 'grub', envFile: '/opt/dev/grubenv', attempts: 5 });
  assert.deepEqual(c.counter, { backend: 'file', dir: '/opt/dev/data/counter' });
  assert.deepEqual(c.healthCheck, {
    command: '/opt/dev/bin/health',
    args: ['--quick'],
    timeoutSeconds: 60,
  });
  assert.equal(c.ddi?.tokenFile, '/opt/dev/token');
  for (const boot of [
    { backend: 'script', path: '/usr/lib/cairn/bootctl' },
    { backend: 'file', path: '/data/bootenv' },
  ]) {
    assert.equal(
      parseAgentConfig({ ...minimal, boot }, { baseDir: '/' }).boot.backend,
      boot.backend,
    );
  }
});

test('validation names every bad field at once', () => {
  const paths = issuesOf(() =>
    parseAgentConfig(
      {
        device: { vendorId: 'not-a-uuid', classId: 42 },
        trust: { pins: ['abc'], crls: 'x.crl', transparency: { verifierKey: 'nope' } },
        slots: { A: '/dev/a', B: '/dev/a', C: '/dev/c' },
        bootedSlot: { source: 'fixed', slot: 'Z' },
        boot: { backend: 'lilo' },
        counter: { backend: 'file', dri: '/x' },
        healthCheck: { command: '/bin/true', timeoutSeconds: 0 },
        ddi: { url: 'ftp://x', tenant: 'a b', controllerId: 'd' },
        maxHeaderBytes: -1,
        colour: 'blue',
      },
      { baseDir: '/' },
    ),
  );
  for (const p of [
    'config.colour',
    'device.vendorId',
    'device.classId',
    'trust.pins[0]',
    'trust.crls',
    'trust.transparency.verifierKey',
    'slots',
    'bootedSlot.slot',
    'boot.backend',
    'counter.dri',
    'healthCheck.timeoutSeconds',
    'ddi.url',
    'ddi.tenant',
    'ddi',
    'maxHeaderBytes',
  ]) {
    assert.ok(paths.includes(p), `reports ${p} (got ${paths.join(', ')})`);
  }
  assert.deepEqual(issuesOf(() => parseAgentConfig('x', { baseDir: '/' })).slice(0, 1), ['']);
  const none = issuesOf(() => parseAgentConfig({ ...minimal, trust: {} }, { baseDir: '/' }));
  assert.deepEqual(none, ['trust'], 'a device with no anchor is refused');
});

test('environment overrides, with the variable named when its value is bad', async (t) => {
  const dir = await tmpDir(t);
  const file = join(dir, 'agent.json');
  await writeFile(file, JSON.stringify(minimal));
  const c = await loadAgentConfig({
    path: file,
    env: {
      CAIRN_AGENT_DATA_DIR: '/data/cairn',
      CAIRN_AGENT_BOOTED_SLOT: 'B',
      CAIRN_AGENT_TPM_TCTI: '',
    },
  });
  assert.equal(c.dataDir, '/data/cairn');
  assert.deepEqual(c.bootedSlot, { source: 'fixed', slot: 'B' });
  assert.deepEqual(
    c.counter,
    { backend: 'tpm', tcti: 'device:/dev/tpmrm0' },
    'empty variables are ignored',
  );
  const viaEnv = await loadAgentConfig({ env: { CAIRN_AGENT_CONFIG: file } });
  assert.equal(viaEnv.dataDir, '/var/lib/cairn');
  await assert.rejects(
    loadAgentConfig({
      path: file,
      env: { CAIRN_AGENT_DDI_URL: 'gopher://x', CAIRN_AGENT_DDI_TOKEN: 't' },
    }),
    (err: unknown) =>
      err instanceof ValidationError &&
      err.issues.some((i) => i.path === 'ddi.url' && i.problem.includes('CAIRN_AGENT_DDI_URL')),
  );
  const o = applyEnvOverrides({}, { CAIRN_AGENT_DDI_TOKEN_FILE: 'tok' }, '/run');
  assert.deepEqual(o.config, { ddi: { tokenFile: '/run/tok' } });
  assert.equal(o.applied.get('ddi.tokenFile'), 'CAIRN_AGENT_DDI_TOKEN_FILE');
});

test('configuration file errors are typed: missing, not JSON, too large', async (t) => {
  const dir = await tmpDir(t);
  await assertRejectsCode(
    () => loadAgentConfig({ path: join(dir, 'none.json'), env: {} }),
    'CONFIG_NOT_FOUND',
  );
  await writeFile(join(dir, 'bad.json'), '{ "device": ');
  await assertRejectsCode(
    () => loadAgentConfig({ path: join(dir, 'bad.json'), env: {} }),
    'CONFIG_NOT_JSON',
  );
  await writeFile(join(dir, 'arr.json'), '[]');
  await assertRejectsCode(
    () => loadAgentConfig({ path: join(dir, 'arr.json'), env: {} }),
    'CONFIG_NOT_JSON',
  );
  await writeFile(join(dir, 'big.json'), `{"x":"${'a'.repeat(300 * 1024)}"}`);
  await assertRejectsCode(
    () => loadAgentConfig({ path: join(dir, 'big.json'), env: {} }),
    'CONFIG_TOO_LARGE',
  );
});

test('booted slot: rauc.slot= / cairn.slot= on the kernel command line, a file, or fixed', async (t) => {
  assert.equal(slotFromCmdline('console=ttyS0 root=/dev/mmcblk0p3 rauc.slot=B quiet\n'), 'B');
  assert.equal(slotFromCmdline('cairn.slot=A ro'), 'A');
  assert.equal(slotFromCmdline('root=/dev/sda1 ro quiet'), undefined);
  fc.assert(
    fc.property(
      fc.array(
        fc.stringMatching(/^[a-z0-9_.=/-]{1,20}$/).filter((s) => !/^(rauc|cairn)\.slot=/.test(s)),
      ),
      fc.array(
        fc.stringMatching(/^[a-z0-9_.=/-]{1,20}$/).filter((s) => !/^(rauc|cairn)\.slot=/.test(s)),
      ),
      fc.constantFrom('A', 'B', 'system0'),
      (pre, post, slot) =>
        slotFromCmdline([...pre, `rauc.slot=${slot}`, ...post].join(' ')) === slot,
    ),
  );
  const dir = await tmpDir(t);
  await writeFile(join(dir, 'cmdline'), 'root=/dev/sda2 rauc.slot=B\n');
  await writeFile(join(dir, 'other'), 'rauc.slot=C\n');
  await writeFile(join(dir, 'slot'), ' A \n');
  const slots = ['A', 'B'];
  assert.equal(
    await bootedSlotReader({ source: 'cmdline', path: join(dir, 'cmdline') }, slots)(),
    'B',
  );
  assert.equal(await bootedSlotReader({ source: 'file', path: join(dir, 'slot') }, slots)(), 'A');
  assert.equal(await bootedSlotReader({ source: 'fixed', slot: 'B' }, slots)(), 'B');
  await assertRejectsCode(
    () => bootedSlotReader({ source: 'cmdline', path: join(dir, 'other') }, slots)(),
    'BOOTED_SLOT_UNKNOWN',
  );
  await assertRejectsCode(
    () => bootedSlotReader({ source: 'cmdline', path: join(dir, 'missing') }, slots)(),
    'BOOTED_SLOT_UNKNOWN',
  );
});

test('the runtime reports every unusable trust file by its setting', async (t) => {
  const dir = await tmpDir(t);
  await writeFile(
    join(dir, 'key.pem'),
    '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
  );
  await writeFile(join(dir, 'bad.crl'), 'not a crl');
  const config = parseAgentConfig(
    {
      ...minimal,
      trust: { anchors: ['missing.pem', 'key.pem'], crls: ['bad.crl'] },
      counter: { backend: 'file' },
      dataDir: 'data',
    },
    { baseDir: dir },
  );
  await assert.rejects(createAgentRuntime(config), (err: unknown) => {
    assert.ok(err instanceof ValidationError);
    assert.deepEqual(
      err.issues.map((i) => i.path),
      ['trust.anchors[0]', 'trust.anchors[1]', 'trust.crls[0]'],
    );
    assert.match(err.message, /does not exist/);
    assert.match(err.message, /private key/);
    return true;
  });
});

test('progress lines: bytes, percentage and MiB/s', () => {
  assert.equal(
    formatProgress(512 * 2 ** 20, 2 ** 30, 2),
    '512.0 MiB / 1.00 GiB (50 %), 256.0 MiB/s',
  );
  assert.equal(formatProgress(0, 0, 0), '0.0 MiB / 0.0 MiB (100 %), 0.0 MiB/s');
  assertThrowsCode(() => parseAgentConfig({}, { baseDir: '/' }), 'INVALID_INPUT');
});
