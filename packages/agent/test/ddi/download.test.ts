import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestBundle } from '@cairn/testkit';
import { FACTORY, fixture, image, newDevice } from '../install/helpers.js';
import { downloads, startServer, updaterFor } from './helpers.js';

test('a server that ignores Range: the install restarts cleanly from byte 0 and still verifies', async (t) => {
  const fx = await fixture();
  const d = await newDevice(fx);
  const srv = await startServer();
  t.after(() => srv.close());
  const img = image('v1', 100_000);
  const bundle = await makeTestBundle(fx, { sequenceNumber: 3, payload: img });
  await srv.deploy({ artifacts: [{ filename: 'fw.cairn', data: bundle }] });
  srv.failures.dropDownloadsAfter = [40_000];
  srv.failures.ignoreRange = true;
  const cycle = await updaterFor(srv, d).pollOnce();
  assert.equal(cycle.outcome.kind, 'installed');
  assert.deepEqual(downloads(srv), [
    { status: 200 },
    { range: 'bytes=40000-', status: 200 }, // Range ignored: refused, not spliced
    { status: 200 },
  ]);
  const events = (await d.agent.log()).map((e) => [e.event, e.code]);
  assert.deepEqual(events, [
    ['REJECTED', 'ABORTED'],
    ['VERIFIED', undefined],
    ['WRITTEN', undefined],
    ['TRIAL_BOOT', undefined],
  ]);
  assert.deepEqual(Buffer.from((await d.disk.read(d.slots.describe('B'))) ?? []), img);
});

test('a download that keeps dropping gives up after maxResumes: closed/failure DDI_DOWNLOAD_FAILED, active slot untouched', async (t) => {
  const fx = await fixture();
  const d = await newDevice(fx);
  const srv = await startServer();
  t.after(() => srv.close());
  const bundle = await makeTestBundle(fx, { sequenceNumber: 3, payload: image('v1', 50_000) });
  const actionId = await srv.deploy({ artifacts: [{ filename: 'fw.cairn', data: bundle }] });
  srv.failures.dropDownloadsAfter = [5000, 5000, 5000, 5000, 5000, 5000, 5000];
  const slept: number[] = [];
  const cycle = await updaterFor(srv, d, slept).pollOnce();
  assert.ok(cycle.outcome.kind === 'rejected');
  assert.equal(cycle.outcome.code, 'DDI_DOWNLOAD_FAILED');
  assert.equal(downloads(srv).length, 6, 'first request + 5 resumes');
  assert.deepEqual(slept, [1000, 2000, 4000, 8000, 16000], 'resume backoff');
  const last = srv.feedbackFor(actionId).at(-1)!;
  assert.deepEqual([last.execution, last.finished], ['closed', 'failure']);
  assert.match(last.details[0] ?? '', /^REJECTED DDI_DOWNLOAD_FAILED: /);
  assert.ok(
    last.details.some((l) => / REJECTED ABORTED /.test(l)),
    'install log line sent',
  );
  assert.deepEqual(Buffer.from((await d.disk.read(d.slots.describe('A'))) ?? []), FACTORY);
  assert.equal(await d.bootControl.getPrimary(), 'A');
});

test('an artifact whose SHA-256 differs from the announced hash is refused before the trial boot is armed', async (t) => {
  const fx = await fixture();
  const d = await newDevice(fx);
  const srv = await startServer();
  t.after(() => srv.close());
  const bundle = await makeTestBundle(fx, { sequenceNumber: 3, payload: image('v1') });
  const actionId = await srv.deploy({ artifacts: [{ filename: 'fw.cairn', data: bundle }] });
  // a validly signed bundle, but not the bytes the server announced
  (srv.action!.artifacts[0] as { sha256: string }).sha256 = '00'.repeat(32);
  const cycle = await updaterFor(srv, d).pollOnce();
  assert.ok(cycle.outcome.kind === 'rejected');
  assert.equal(cycle.outcome.code, 'DDI_ARTIFACT_MISMATCH');
  assert.equal(srv.feedbackFor(actionId).at(-1)?.finished, 'failure');
  assert.equal(await d.bootControl.getPrimary(), 'A');
  assert.equal((await d.agent.log()).at(-1)?.code, 'ABORTED');
});

test('a deployment without a .cairn artifact is refused with DDI_NO_ARTIFACT', async (t) => {
  const fx = await fixture();
  const d = await newDevice(fx);
  const srv = await startServer();
  t.after(() => srv.close());
  const actionId = await srv.deploy({
    artifacts: [{ filename: 'rootfs.swu', data: Buffer.from('x') }],
  });
  const cycle = await updaterFor(srv, d).pollOnce();
  assert.ok(cycle.outcome.kind === 'rejected' && cycle.outcome.code === 'DDI_NO_ARTIFACT');
  assert.match(srv.feedbackFor(actionId).at(-1)?.details[0] ?? '', /rootfs\.swu/);
});

test('run(): backs off through server errors, then installs and returns for the reboot', async (t) => {
  const fx = await fixture();
  const d = await newDevice(fx);
  const srv = await startServer();
  t.after(() => srv.close());
  const bundle = await makeTestBundle(fx, { sequenceNumber: 3, payload: image('v1') });
  await srv.deploy({ artifacts: [{ filename: 'fw.cairn', data: bundle }], update: 'skip' });
  const slept: number[] = [];
  const ota = updaterFor(srv, d, slept);
  // a skipped update (maintenance window) is downloaded and staged, not installed
  assert.equal((await ota.pollOnce()).outcome.kind, 'downloaded');
  await srv.deploy({ artifacts: [{ filename: 'fw.cairn', data: bundle }] });
  srv.failures.errors500 = 2;
  slept.length = 0;
  const out = await ota.run();
  assert.equal(out?.kind, 'installed');
  assert.deepEqual(slept, [5000, 10000], 'exponential backoff, no jitter at random()=0.5');
  const ctl = new AbortController();
  ctl.abort();
  assert.equal(await ota.run(ctl.signal), undefined, 'an aborted run returns at once');
});
