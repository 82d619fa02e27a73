import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestBundle } from '@cairn/testkit';
import { fixture, image, newDevice } from '../install/helpers.js';
import { downloads, startServer, updaterFor } from './helpers.js';

test('cancelAction before download: acknowledged closed/success, nothing downloaded', async (t) => {
  const fx = await fixture();
  const d = await newDevice(fx);
  const srv = await startServer();
  t.after(() => srv.close());
  const bundle = await makeTestBundle(fx, { sequenceNumber: 2, payload: image('v2') });
  const actionId = await srv.deploy({ artifacts: [{ filename: 'fw.cairn', data: bundle }] });
  srv.cancel();
  const cycle = await updaterFor(srv, d).pollOnce();
  assert.deepEqual(cycle.outcome, { kind: 'canceled', actionId: String(actionId), accepted: true });
  assert.deepEqual(downloads(srv), []);
  assert.ok(!srv.requests.some((r) => r.path.includes('/deploymentBase/')));
  const fb = srv.feedbackFor(actionId);
  assert.deepEqual(
    fb.map((f) => [f.kind, f.execution, f.finished]),
    [['cancel', 'closed', 'success']],
  );
  assert.equal(srv.action?.status, 'canceled');
  assert.equal(await d.bootControl.getPrimary(), 'A');
});

test('cancelAction after the install: rejected, and the trial boot still reports', async (t) => {
  const fx = await fixture();
  const d = await newDevice(fx);
  const srv = await startServer();
  t.after(() => srv.close());
  const bundle = await makeTestBundle(fx, { sequenceNumber: 2, payload: image('v2') });
  const actionId = await srv.deploy({ artifacts: [{ filename: 'fw.cairn', data: bundle }] });
  const ota = updaterFor(srv, d);
  assert.equal((await ota.pollOnce()).outcome.kind, 'installed');
  srv.cancel();
  const c = await ota.pollOnce();
  assert.deepEqual(c.outcome, { kind: 'canceled', actionId: String(actionId), accepted: false });
  assert.equal(srv.feedbackFor(actionId).at(-1)?.execution, 'rejected');
  assert.equal(srv.action?.status, 'open');
  assert.equal((await ota.pollOnce()).outcome.kind, 'awaiting-reboot');
  const boot = await d.boot();
  assert.ok(boot.booted === 'B');
  await ota.reportBoot(boot.agent);
  assert.equal(srv.feedbackFor(actionId).at(-1)?.finished, 'success');
});
