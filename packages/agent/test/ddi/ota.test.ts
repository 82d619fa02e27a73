import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { makeTestBundle } from '@cairn/testkit';
import { FACTORY, fixture, image, newDevice } from '../install/helpers.js';
import { downloads, startServer, updaterFor } from './helpers.js';

test('OTA end to end: poll → deployment → download dropped mid-way and resumed with Range → install → reboot → commit → closed/success', async (t) => {
  const fx = await fixture();
  const d = await newDevice(fx);
  const srv = await startServer();
  t.after(() => srv.close());
  const img = image('v1', 200_000);
  const bundle = await makeTestBundle(fx, { sequenceNumber: 5, payload: img, version: '1.0.0' });
  const actionId = await srv.deploy({ artifacts: [{ filename: 'fw-1.0.0.cairn', data: bundle }] });
  srv.failures.dropDownloadsAfter = [60_000];
  const ota = updaterFor(srv, d);

  const cycle = await ota.pollOnce();
  assert.equal(cycle.outcome.kind, 'installed', inspect(cycle.outcome));
  assert.equal(cycle.outcome.actionId, String(actionId));
  assert.equal(cycle.nextPollMs, 10_000, 'server sleep 00:00:10, no jitter at random()=0.5');

  // the drop: the second request continues at the byte the first stopped, nothing re-read
  assert.deepEqual(downloads(srv), [{ status: 200 }, { range: 'bytes=60000-', status: 206 }]);
  assert.ok(srv.requests.every((r) => r.authorization === 'TargetToken target-token-1'));
  assert.deepEqual(srv.configData, [
    { mode: 'merge', data: { serial: 'device-0001', hwRevision: '2' } },
  ]);
  assert.deepEqual(Buffer.from((await d.disk.read(d.slots.describe('B'))) ?? []), img);
  assert.deepEqual(Buffer.from((await d.disk.read(d.slots.describe('A'))) ?? []), FACTORY);
  assert.equal((await ota.state.read())?.stage, 'installed', 'in-flight action persisted');

  const boot = await d.boot();
  assert.ok(boot.booted === 'B' && boot.agent.outcome === 'committed');
  const report = await ota.reportBoot(boot.agent);
  assert.equal(report?.status.execution, 'closed');
  assert.equal(await ota.state.read(), undefined, 'state cleared once the server took the report');

  const fb = srv.feedbackFor(actionId);
  assert.deepEqual(
    fb.map((f) => [f.kind, f.execution, f.finished, f.progress?.cnt]),
    [
      ['deployment', 'proceeding', 'none', 1],
      ['deployment', 'proceeding', 'none', 2],
      ['deployment', 'proceeding', 'none', 3],
      ['deployment', 'closed', 'success', 4],
    ],
  );
  const closed = fb.at(-1)!;
  assert.match(closed.details[0] ?? '', /^COMMITTED slot B \(sequence number 5\)/);
  const events = closed.details.slice(1).map((l) => /^install-log #\d+ \S+ (\w+)/.exec(l)?.[1]);
  assert.deepEqual(events, ['VERIFIED', 'WRITTEN', 'TRIAL_BOOT', 'COMMITTED']);
  assert.equal(srv.action?.status, 'closed');
  assert.equal(await d.counter.read(), 5n);

  const after = await ota.pollOnce();
  assert.equal(after.outcome.kind, 'idle', 'nothing more to do');
});

test('a downgrade is rejected: closed/failure with DOWNGRADE and the log lines, active slot untouched', async (t) => {
  const fx = await fixture();
  const d = await newDevice(fx, { factorySequenceNumber: 10n });
  const srv = await startServer();
  t.after(() => srv.close());
  const bundle = await makeTestBundle(fx, { sequenceNumber: 3, payload: image('old') });
  const actionId = await srv.deploy({ artifacts: [{ filename: 'fw-old.cairn', data: bundle }] });
  const ota = updaterFor(srv, d);

  const cycle = await ota.pollOnce();
  assert.ok(cycle.outcome.kind === 'rejected', inspect(cycle.outcome));
  assert.equal(cycle.outcome.code, 'DOWNGRADE');
  const last = srv.feedbackFor(actionId).at(-1)!;
  assert.equal(last.execution, 'closed');
  assert.equal(last.finished, 'failure');
  assert.match(last.details[0] ?? '', /^REJECTED DOWNGRADE: /);
  assert.ok(last.details.some((l) => /REJECTED DOWNGRADE .*attempted downgrade/.test(l)));
  assert.deepEqual(Buffer.from((await d.disk.read(d.slots.describe('A'))) ?? []), FACTORY);
  assert.equal(await d.bootControl.getPrimary(), 'A');
  assert.equal(await ota.state.read(), undefined);
  assert.equal(srv.action?.status, 'closed');
  const boot = await d.boot();
  assert.equal(boot.booted, 'A');
});

test('a bundle for another vendor is rejected with WRONG_VENDOR', async (t) => {
  const fx = await fixture();
  const d = await newDevice(fx);
  const srv = await startServer();
  t.after(() => srv.close());
  const bundle = await makeTestBundle(fx, {
    sequenceNumber: 2,
    payload: image('x'),
    vendorId: new Uint8Array(16).fill(7),
  });
  const actionId = await srv.deploy({ artifacts: [{ filename: 'fw.cairn', data: bundle }] });
  const cycle = await updaterFor(srv, d).pollOnce();
  assert.ok(cycle.outcome.kind === 'rejected' && cycle.outcome.code === 'WRONG_VENDOR');
  assert.match(srv.feedbackFor(actionId).at(-1)?.details[0] ?? '', /^REJECTED WRONG_VENDOR/);
});

test('a failed trial boot: after fallback the server gets closed/failure TRIAL_BOOT_FAILED', async (t) => {
  const fx = await fixture();
  const d = await newDevice(fx, {
    imageBoots: (img) => !Buffer.from(img).subarray(0, 5).equals(Buffer.from('CRASH')),
  });
  const srv = await startServer();
  t.after(() => srv.close());
  const payload = Buffer.concat([Buffer.from('CRASH'), image('bad')]);
  const bundle = await makeTestBundle(fx, { sequenceNumber: 2, payload });
  const actionId = await srv.deploy({ artifacts: [{ filename: 'fw.cairn', data: bundle }] });
  const ota = updaterFor(srv, d);
  assert.equal((await ota.pollOnce()).outcome.kind, 'installed');

  const boot = await d.boot();
  assert.ok(boot.booted === 'A' && boot.agent.outcome === 'fell-back');
  await ota.reportBoot(boot.agent);
  const last = srv.feedbackFor(actionId).at(-1)!;
  assert.deepEqual([last.execution, last.finished], ['closed', 'failure']);
  assert.match(last.details[0] ?? '', /^REJECTED TRIAL_BOOT_FAILED: slot B did not boot/);
  assert.ok(last.details.some((l) => / FELL_BACK TRIAL_BOOT_FAILED /.test(l)));
  assert.equal(await d.counter.read(), 0n);
});

test('the final report survives an unreachable server and a power cycle, and is sent on the next poll', async (t) => {
  const fx = await fixture();
  const d = await newDevice(fx);
  const srv = await startServer();
  t.after(() => srv.close());
  const bundle = await makeTestBundle(fx, { sequenceNumber: 4, payload: image('v4') });
  const actionId = await srv.deploy({ artifacts: [{ filename: 'fw.cairn', data: bundle }] });
  assert.equal((await updaterFor(srv, d).pollOnce()).outcome.kind, 'installed');

  srv.failures.errors500 = 1; // the report after reboot fails once
  const boot = await d.powerCycle();
  assert.ok(boot.booted === 'B' && boot.agent.outcome === 'committed');
  const ota = updaterFor(srv, d); // a fresh process after the reboot
  await ota.reportBoot(boot.agent);
  assert.equal((await ota.state.read())?.stage, 'report', 'queued on disk');
  assert.equal(srv.feedbackFor(actionId).at(-1)?.execution, 'proceeding');

  const again = await d.powerCycle();
  assert.ok(again.booted === 'B');
  const cycle = await updaterFor(srv, d).pollOnce();
  assert.equal(cycle.outcome.kind, 'idle');
  const last = srv.feedbackFor(actionId).at(-1)!;
  assert.deepEqual([last.execution, last.finished], ['closed', 'success']);
});
