import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { DdiClient, OtaUpdater, SimulatedDevice } from '@cairn/agent';
import { anchorFromPem, parseUuid } from '@cairn/core';
import { loadPlatformConfig, main, startPlatform } from '@cairn/cli';

const quiet = { out: () => undefined, err: () => undefined };

test('OTA against the real server: register → signed release upload → action → poll → download → install → reboot → commit → closed/success', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-ota-e2e-'));
  const platform = await startPlatform(
    loadPlatformConfig({ dataDir: dir, env: { CAIRN_SIGNER_PORT: '0', CAIRN_SERVER_PORT: '0' } }),
    { io: quiet, progress: false },
  );
  t.after(async () => {
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const { info, server } = platform;
  const svc = server.services;

  // Sign with the real signing service through `cairn sign`.
  const image = join(dir, 'fw.bin');
  writeFileSync(image, Buffer.concat([Buffer.from('ota e2e 2.0.0\n'), randomBytes(300_000)]));
  process.env['CAIRN_OTA_TEST_TOKEN'] = readFileSync(info.signingTokenFile, 'utf8').trim();
  let signErr = '';
  const code = await main(
    [
      'sign',
      '--signer',
      info.signerUrl,
      '--cacert',
      info.caFile,
      '--token-env',
      'CAIRN_OTA_TEST_TOKEN',
      '--worker',
      info.worker,
      '--product',
      `${info.product.vendorId}:${info.product.classId}`,
      '--version',
      '2.0.0',
      image,
      '-o',
      join(dir, 'fw.cairn'),
    ],
    { out: () => undefined, err: (s) => void (signErr += s) },
  );
  assert.equal(code, 0, signErr);

  const release = await svc.releases.upload(
    info.product.id,
    Readable.from(readFileSync(join(dir, 'fw.cairn'))),
    { actor: 'test', version: '2.0.0' },
  );
  const { targetToken } = await svc.devices.add({
    controllerId: 'ota-e2e-1',
    productId: info.product.id,
  });
  const action = await svc.actions.create('ota-e2e-1', release.id, { actor: 'test' });

  const caPem = readFileSync(info.caFile, 'utf8');
  const device = await SimulatedDevice.create({
    anchors: [anchorFromPem(caPem)],
    identity: {
      vendorId: parseUuid(info.product.vendorId),
      classId: parseUuid(info.product.classId),
    },
    factoryImage: Buffer.from('factory\n'.repeat(100)),
  });
  const ota = new OtaUpdater({
    client: new DdiClient({
      baseUrl: info.serverUrl,
      controllerId: 'ota-e2e-1',
      auth: { type: 'target', token: targetToken },
      tls: { ca: caPem },
    }),
    agent: device.agent,
    disk: device.disk,
    attributes: () => ({ hw: 'rev2' }),
    sleep: () => Promise.resolve(),
  });

  const cycle = await ota.pollOnce();
  assert.equal(cycle.outcome.kind, 'installed', inspect(cycle.outcome));
  assert.equal(
    (await svc.actions.get(action.id)).status,
    'running',
    'still open until the trial boot is reported',
  );
  const boot = await device.boot();
  assert.ok(boot.booted === 'B' && boot.agent.outcome === 'committed', inspect(boot));
  const report = await ota.reportBoot(boot.agent);
  assert.equal(report?.status.execution, 'closed');
  assert.equal(report.status.result.finished, 'success');

  const after = await svc.actions.get(action.id);
  assert.equal(after.status, 'finished');
  assert.equal(after.active, false);
  const history = await svc.actions.history(action.id);
  assert.ok(
    history.some((h) => h.messages.some((m) => /^COMMITTED slot B/.test(m))),
    inspect(history),
  );
  assert.equal(
    (await svc.devices.get('ota-e2e-1')).attributes['hw'],
    'rev2',
    'configData reached the server',
  );
  assert.equal((await svc.devices.get('ota-e2e-1')).installedReleaseId, release.id);
  assert.equal((await device.agent.status()).counter, release.sequenceNumber);
  assert.equal((await ota.pollOnce()).outcome.kind, 'idle');
});
