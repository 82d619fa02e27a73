import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import {
  AgentError,
  DdiClient,
  OtaUpdater,
  type DdiDeploymentBase,
  type PollOutcome,
  type SimulatedDevice,
} from '@cairn/agent';
import { makeTestBundle, type DdiTestServer } from '@cairn/testkit';
import { FACTORY, fixture, image, newDevice } from '../install/helpers.js';
import { CONTROLLER, downloads, startServer, TOKEN, updaterFor } from './helpers.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const STAGED_DIR = '/data/staged';

/** A client that reports the deployment as outside (or inside) its maintenance window. */
class WindowClient extends DdiClient {
  window: 'available' | 'unavailable' | undefined = 'unavailable';
  override async deploymentBase(href: string): Promise<DdiDeploymentBase> {
    const d = await super.deploymentBase(href);
    if (this.window === undefined) return d;
    return { ...d, deployment: { ...d.deployment, maintenanceWindow: this.window } };
  }
}

function windowUpdater(srv: DdiTestServer, d: SimulatedDevice): [OtaUpdater, WindowClient] {
  const client = new WindowClient({
    baseUrl: srv.url,
    controllerId: CONTROLLER,
    auth: { type: 'target', token: TOKEN },
    timeoutMs: 5000,
  });
  const ota = new OtaUpdater({
    client,
    agent: d.agent,
    disk: d.disk,
    download: { sleep: () => Promise.resolve() },
    schedule: { random: () => 0.5 },
  });
  return [ota, client];
}

function downloaded(o: PollOutcome): Extract<PollOutcome, { kind: 'downloaded' }> {
  assert.equal(o.kind, 'downloaded', inspect(o));
  return o;
}

async function slotsUnchanged(d: SimulatedDevice): Promise<void> {
  assert.deepEqual(Buffer.from((await d.disk.read(d.slots.describe('A'))) ?? []), FACTORY);
  assert.equal(await d.disk.read(d.slots.describe('B')), undefined, 'slot B never written');
  assert.equal(await d.bootControl.getPrimary(), 'A');
  assert.equal(await d.counter.read(), 0n);
  assert.equal((await d.agent.status()).pending, undefined);
}

const events = async (d: SimulatedDevice): Promise<string[]> =>
  (await d.agent.log()).map((e) => e.event);

test('download-only: the bundle is staged with its hash, verified, reported downloaded; nothing installed', async (t) => {
  const fx = await fixture();
  const d = await newDevice(fx);
  const srv = await startServer();
  t.after(() => srv.close());
  const bundle = await makeTestBundle(fx, { sequenceNumber: 4, payload: image('v4', 50_000) });
  const actionId = await srv.deploy({
    artifacts: [{ filename: 'fw-4.cairn', data: bundle }],
    update: 'skip',
  });
  const ota = updaterFor(srv, d);

  const o = downloaded((await ota.pollOnce()).outcome);
  assert.deepEqual(o, {
    kind: 'downloaded',
    actionId: String(actionId),
    path: `${STAGED_DIR}/${sha(bundle)}.cairn`,
    sha256: sha(bundle),
    waitingFor: 'download-only',
    downloadedNow: true,
  });
  assert.deepEqual(await d.disk.list(STAGED_DIR), [`${sha(bundle)}.cairn`], 'no partial file left');
  assert.deepEqual(Buffer.from((await d.disk.read(o.path)) ?? []), Buffer.from(bundle));
  await slotsUnchanged(d);
  const log = await d.agent.log();
  assert.deepEqual(
    log.map((e) => [e.event, e.sequenceNumber, e.source]),
    [['STAGED', '4', `ddi:action/${actionId}/fw-4.cairn`]],
  );

  const fb = srv.feedbackFor(actionId);
  assert.deepEqual(
    fb.map((f) => [f.execution, f.finished, f.progress?.cnt]),
    [
      ['proceeding', 'none', 1],
      ['downloaded', 'none', 2],
    ],
  );
  assert.match(
    fb[1]!.details[0] ?? '',
    /downloaded and verified fw-4\.cairn \(sequence number 4\); not installed: the action is download-only/,
  );
  assert.ok(
    fb[1]!.details.some((l) => / STAGED seq=4 /.test(l)),
    'the STAGED log line is reported',
  );
  assert.deepEqual((fb[1]!.body as { status: unknown }).status, {
    execution: 'downloaded',
    result: { finished: 'none', progress: { cnt: 2, of: 4 } },
    details: fb[1]!.details,
  });
  const st = await ota.state.read();
  assert.equal(st?.stage, 'downloaded');
  assert.equal(st.feedback, undefined, 'the downloaded report was delivered');
  assert.deepEqual(st.staged, {
    path: o.path,
    sha256: sha(bundle),
    size: bundle.length,
    filename: 'fw-4.cairn',
  });

  // the action stays open on this test server: later polls neither download nor report again
  const again = downloaded((await ota.pollOnce()).outcome);
  assert.equal(again.downloadedNow, false);
  assert.equal(downloads(srv).length, 1, 'one artifact download');
  assert.equal(srv.feedbackFor(actionId).length, 2, 'no feedback repeated');
  await slotsUnchanged(d);
});

test('maintenance window: staged while unavailable, then installed from the staged file with no second download', async (t) => {
  const fx = await fixture();
  const d = await newDevice(fx);
  const srv = await startServer();
  t.after(() => srv.close());
  const img = image('v6', 120_000);
  const bundle = await makeTestBundle(fx, { sequenceNumber: 6, payload: img, version: '6.0' });
  const actionId = await srv.deploy({
    artifacts: [{ filename: 'fw-6.cairn', data: bundle }],
    update: 'skip',
  });
  const [ota, client] = windowUpdater(srv, d);

  const staged = downloaded((await ota.pollOnce()).outcome);
  assert.equal(staged.waitingFor, 'maintenance-window');
  assert.equal(downloaded((await ota.pollOnce()).outcome).downloadedNow, false);
  assert.equal(downloads(srv).length, 1);
  await slotsUnchanged(d);
  assert.match(
    srv.feedbackFor(actionId).at(-1)?.details[0] ?? '',
    /not installed: the deployment is outside its maintenance window/,
  );

  // the window opens: the same action now says update: forced
  client.window = 'available';
  await srv.deploy({
    artifacts: [{ filename: 'fw-6.cairn', data: bundle }],
    actionId,
    update: 'forced',
  });
  const cycle = await ota.pollOnce();
  assert.ok(cycle.outcome.kind === 'installed', inspect(cycle.outcome));
  assert.equal(cycle.outcome.install.slot, 'B');
  assert.equal(downloads(srv).length, 1, 'installed from the staged file: no second download');
  assert.deepEqual(
    await d.disk.list(STAGED_DIR),
    [],
    'the staged file is removed after the install',
  );
  assert.deepEqual(Buffer.from((await d.disk.read(d.slots.describe('B'))) ?? []), img);
  const source = (await d.agent.log()).find((e) => e.event === 'VERIFIED')?.source;
  assert.equal(source, `ddi:action/${actionId}/fw-6.cairn@staged`);

  const boot = await d.boot();
  assert.ok(boot.booted === 'B' && boot.agent.outcome === 'committed');
  await ota.reportBoot(boot.agent);
  assert.equal(await d.counter.read(), 6n);
  const fb = srv.feedbackFor(actionId);
  assert.deepEqual(
    fb.map((f) => [f.execution, f.finished, f.progress?.cnt]),
    [
      ['proceeding', 'none', 1],
      ['downloaded', 'none', 2],
      ['proceeding', 'none', 1],
      ['proceeding', 'none', 2],
      ['proceeding', 'none', 3],
      ['closed', 'success', 4],
    ],
  );
  assert.match(fb[2]!.details[0] ?? '', /from the copy staged earlier .*nothing to download/);
  assert.deepEqual(await events(d), ['STAGED', 'VERIFIED', 'WRITTEN', 'TRIAL_BOOT', 'COMMITTED']);
});

test('a new action for the staged artifact installs from it; a tampered staged file is downloaded again', async (t) => {
  const fx = await fixture();
  const srv = await startServer();
  t.after(() => srv.close());
  const img = image('v7', 80_000);
  const bundle = await makeTestBundle(fx, { sequenceNumber: 7, payload: img });
  const art = [{ filename: 'fw-7.cairn', data: bundle }];

  // intact: a download-only action stages it, a later forced action installs it without download
  {
    const d = await newDevice(fx);
    await srv.deploy({ artifacts: art, update: 'skip' });
    const ota = updaterFor(srv, d);
    downloaded((await ota.pollOnce()).outcome);
    const before = downloads(srv).length;
    await srv.deploy({ artifacts: art });
    assert.equal((await ota.pollOnce()).outcome.kind, 'installed');
    assert.equal(downloads(srv).length, before, 'no download for the new action');
    assert.deepEqual(await d.disk.list(STAGED_DIR), []);
  }

  // tampered: one byte of the staged copy flipped on the device's storage
  const d = await newDevice(fx);
  const staging = await srv.deploy({ artifacts: art, update: 'skip' });
  const ota = updaterFor(srv, d);
  const o = downloaded((await ota.pollOnce()).outcome);
  const bad = Buffer.from((await d.disk.read(o.path))!);
  bad[bad.length - 10]! ^= 0xff;
  await d.disk.write(o.path, bad);
  const before = downloads(srv).length;
  const actionId = await srv.deploy({ artifacts: art });
  const cycle = await ota.pollOnce();
  assert.ok(cycle.outcome.kind === 'installed', inspect(cycle.outcome));
  assert.equal(downloads(srv).length, before + 1, 'downloaded again');
  assert.deepEqual(Buffer.from((await d.disk.read(d.slots.describe('B'))) ?? []), img);
  assert.deepEqual(await d.disk.list(STAGED_DIR), []);
  const first = srv.feedbackFor(actionId)[0]!;
  assert.equal(first.details[0], `downloading fw-7.cairn (${bundle.length} bytes)`);
  assert.match(
    first.details[1] ?? '',
    /has SHA-256 [0-9a-f]{64}: damaged, removed; downloading it again/,
  );
  const source = (await d.agent.log()).find((e) => e.event === 'VERIFIED')?.source;
  assert.equal(source, `ddi:action/${actionId}/fw-7.cairn`, 'installed from the download');
  assert.notEqual(staging, actionId);

  // a staged file that vanished: downloaded again too
  const d2 = await newDevice(fx);
  await srv.deploy({ artifacts: art, update: 'skip' });
  const ota2 = updaterFor(srv, d2);
  const o2 = downloaded((await ota2.pollOnce()).outcome);
  await d2.disk.remove(o2.path);
  const n = downloads(srv).length;
  await srv.deploy({ artifacts: art });
  assert.equal((await ota2.pollOnce()).outcome.kind, 'installed');
  assert.equal(downloads(srv).length, n + 1);
});

test('a bundle that fails verification while staging: closed/failure with the reason, file deleted, nothing installed', async (t) => {
  const fx = await fixture();
  const srv = await startServer();
  t.after(() => srv.close());

  // anti-rollback: the device runs sequence 10, the download-only bundle is 3
  const d = await newDevice(fx, { factorySequenceNumber: 10n });
  const old = await makeTestBundle(fx, { sequenceNumber: 3, payload: image('old') });
  const actionId = await srv.deploy({
    artifacts: [{ filename: 'fw-3.cairn', data: old }],
    update: 'skip',
  });
  const ota = updaterFor(srv, d);
  const cycle = await ota.pollOnce();
  assert.ok(cycle.outcome.kind === 'rejected', inspect(cycle.outcome));
  assert.equal(cycle.outcome.code, 'DOWNGRADE');
  const last = srv.feedbackFor(actionId).at(-1)!;
  assert.deepEqual([last.execution, last.finished], ['closed', 'failure']);
  assert.match(last.details[0] ?? '', /^REJECTED DOWNGRADE: /);
  assert.ok(last.details.some((l) => / REJECTED DOWNGRADE .*attempted downgrade/.test(l)));
  assert.equal(srv.action?.status, 'closed');
  assert.deepEqual(await d.disk.list(STAGED_DIR), [], 'the refused bundle is deleted');
  assert.equal(await ota.state.read(), undefined);
  assert.deepEqual(Buffer.from((await d.disk.read(d.slots.describe('A'))) ?? []), FACTORY);
  assert.equal(await d.bootControl.getPrimary(), 'A');
  assert.equal(await d.counter.read(), 10n);

  // another vendor's bundle
  const d2 = await newDevice(fx);
  const foreign = await makeTestBundle(fx, {
    sequenceNumber: 2,
    payload: image('x'),
    vendorId: new Uint8Array(16).fill(7),
  });
  const a2 = await srv.deploy({
    artifacts: [{ filename: 'fw.cairn', data: foreign }],
    update: 'skip',
  });
  const c2 = await updaterFor(srv, d2).pollOnce();
  assert.ok(c2.outcome.kind === 'rejected' && c2.outcome.code === 'WRONG_VENDOR');
  assert.match(srv.feedbackFor(a2).at(-1)?.details[0] ?? '', /^REJECTED WRONG_VENDOR/);
  assert.deepEqual(await d2.disk.list(STAGED_DIR), []);
  await slotsUnchanged(d2);
});

test('after a power cycle (a restart) the staged bundle is not downloaded again, and installs from disk', async (t) => {
  const fx = await fixture();
  const d = await newDevice(fx);
  const srv = await startServer();
  t.after(() => srv.close());
  const img = image('v8', 60_000);
  const bundle = await makeTestBundle(fx, { sequenceNumber: 8, payload: img });
  const actionId = await srv.deploy({
    artifacts: [{ filename: 'fw-8.cairn', data: bundle }],
    update: 'skip',
  });
  srv.failures.dropDownloadsAfter = [20_000]; // and the download itself is resumed
  downloaded((await updaterFor(srv, d).pollOnce()).outcome);
  assert.deepEqual(
    downloads(srv).map((r) => r.range),
    [undefined, 'bytes=20000-'],
  );

  const boot = await d.powerCycle(); // unsynced data is lost: the staged file must be durable
  assert.ok(boot.booted === 'A' && boot.agent.outcome === 'idle');
  const ota = updaterFor(srv, d); // a fresh process
  assert.equal(await ota.reportBoot(boot.agent), undefined, 'a staged action has no boot verdict');
  const again = downloaded((await ota.pollOnce()).outcome);
  assert.equal(again.downloadedNow, false);
  assert.equal(downloads(srv).length, 2, 'not downloaded again after the restart');
  assert.equal(srv.feedbackFor(actionId).filter((f) => f.execution === 'downloaded').length, 1);

  await srv.deploy({ artifacts: [{ filename: 'fw-8.cairn', data: bundle }], actionId });
  assert.equal((await updaterFor(srv, d).pollOnce()).outcome.kind, 'installed');
  assert.equal(downloads(srv).length, 2, 'installed from the staged file');
  assert.deepEqual(Buffer.from((await d.disk.read(d.slots.describe('B'))) ?? []), img);
});

test('a newer staged bundle replaces the older one; canceling a staged action removes it', async (t) => {
  const fx = await fixture();
  const d = await newDevice(fx);
  const srv = await startServer();
  t.after(() => srv.close());
  const b2 = await makeTestBundle(fx, { sequenceNumber: 2, payload: image('v2') });
  const b3 = await makeTestBundle(fx, { sequenceNumber: 3, payload: image('v3') });
  const ota = updaterFor(srv, d);
  await srv.deploy({ artifacts: [{ filename: 'fw-2.cairn', data: b2 }], update: 'skip' });
  downloaded((await ota.pollOnce()).outcome);
  const a3 = await srv.deploy({
    artifacts: [{ filename: 'fw-3.cairn', data: b3 }],
    update: 'skip',
  });
  const o3 = downloaded((await ota.pollOnce()).outcome);
  assert.deepEqual(await d.disk.list(STAGED_DIR), [`${sha(b3)}.cairn`], 'one staged bundle');
  assert.equal(o3.sha256, sha(b3));

  srv.cancel();
  const c = await ota.pollOnce();
  assert.deepEqual(c.outcome, { kind: 'canceled', actionId: String(a3), accepted: true });
  assert.deepEqual(await d.disk.list(STAGED_DIR), []);
  assert.equal(await ota.state.read(), undefined);
  assert.match(srv.feedbackFor(a3).at(-1)?.details[0] ?? '', /the staged bundle was removed/);
  assert.equal(srv.action?.status, 'canceled');
  await slotsUnchanged(d);
});

test('download: skip is still deferred: nothing downloaded, nothing reported', async (t) => {
  const fx = await fixture();
  const d = await newDevice(fx);
  const srv = await startServer();
  t.after(() => srv.close());
  const bundle = await makeTestBundle(fx, { sequenceNumber: 2, payload: image('v2') });
  const actionId = await srv.deploy({ artifacts: [{ filename: 'fw.cairn', data: bundle }] });
  class NoDownloadClient extends DdiClient {
    override async deploymentBase(href: string): Promise<DdiDeploymentBase> {
      const b = await super.deploymentBase(href);
      return { ...b, deployment: { ...b.deployment, download: 'skip', update: 'skip' } };
    }
  }
  const ota = new OtaUpdater({
    client: new NoDownloadClient({
      baseUrl: srv.url,
      controllerId: CONTROLLER,
      auth: { type: 'target', token: TOKEN },
    }),
    agent: d.agent,
    disk: d.disk,
  });
  const o = (await ota.pollOnce()).outcome;
  assert.ok(o.kind === 'deferred', inspect(o));
  assert.deepEqual(downloads(srv), []);
  assert.deepEqual(srv.feedbackFor(actionId), []);
  assert.deepEqual(await d.disk.list(STAGED_DIR), []);
});

/**
 * Staging with the power cut before every write / append / fsync / rename / directory
 * fsync, for several crash outcomes. After the reboot the staging area never holds a file
 * with a complete bundle's name that is not the complete bundle, and the next poll ends
 * staged (downloading again only if needed); the install then runs from the staged file.
 */
test('power loss at every step of staging: a partial file never looks complete', async (t) => {
  const fx = await fixture();
  const srv = await startServer();
  t.after(() => srv.close());
  const img = image('v9', 5000);
  const bundle = await makeTestBundle(fx, { sequenceNumber: 9, payload: img });
  const name = `${sha(bundle)}.cairn`;
  let cuts = 0;
  let redownloads = 0;
  for (const seed of [1, 2, 3]) {
    for (let n = 1; ; n++) {
      const d = await newDevice(fx, { seed });
      const actionId = await srv.deploy({
        artifacts: [{ filename: 'fw-9.cairn', data: bundle }],
        update: 'skip',
      });
      d.disk.cutAfter(n);
      const first = (await updaterFor(srv, d).pollOnce()).outcome;
      if (!d.disk.powerOff) {
        d.disk.disarm();
        downloaded(first);
        break;
      }
      cuts++;
      const where = `seed ${seed}, cut before operation ${n}`;
      assert.ok(
        first.kind === 'failed' &&
          first.error instanceof AgentError &&
          first.error.code === 'POWER_CUT',
        `${where}: ${inspect(first)}`,
      );
      await d.powerCycle();
      for (const f of await d.disk.list(STAGED_DIR)) {
        if (!f.endsWith('.cairn')) continue;
        assert.equal(f, name, `${where}: unexpected staged file ${f}`);
        assert.equal(
          sha((await d.disk.read(`${STAGED_DIR}/${f}`))!),
          sha(bundle),
          `${where}: a torn file has a bundle's name`,
        );
      }
      const before = downloads(srv).length;
      const ota = updaterFor(srv, d);
      const again = downloaded((await ota.pollOnce()).outcome);
      if (downloads(srv).length > before) redownloads++;
      assert.deepEqual(await d.disk.list(STAGED_DIR), [name], where);
      assert.equal(again.sha256, sha(bundle));
      assert.ok(
        srv.feedbackFor(actionId).some((f) => f.execution === 'downloaded'),
        `${where}: reported downloaded`,
      );
      await srv.deploy({ artifacts: [{ filename: 'fw-9.cairn', data: bundle }], actionId });
      const n0 = downloads(srv).length;
      const inst = (await ota.pollOnce()).outcome;
      assert.equal(inst.kind, 'installed', `${where}: ${inspect(inst)}`);
      assert.equal(downloads(srv).length, n0, `${where}: installed from the staged file`);
      assert.deepEqual(Buffer.from((await d.disk.read(d.slots.describe('B'))) ?? []), img);
      assert.ok((await d.log.verify()) > 0);
    }
  }
  t.diagnostic(`${cuts} power cuts during staging; ${redownloads} needed a new download`);
  assert.ok(cuts >= 30, `exercised ${cuts} cut points`);
  assert.ok(redownloads > 0 && redownloads < cuts, 'some cuts lost the download, some kept it');
});
