/**
 * The device agent (@cairn/agent) against the real server: hawkBit download-only and
 * maintenance-window actions. The agent stages the bundle, verifies it without installing
 * it and reports `downloaded`; the server finishes a download-only action on that report
 * and marks a forced action outside its window `downloaded`. A later action for the same
 * release installs from the staged file without downloading it again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { DdiClient, OtaUpdater, SimulatedDevice } from '@cairn/agent';
import { anchorFromPem, formatUuid } from '@cairn/core';
import { createServer } from '@cairn/server';
import { createFirmwareFixture, forEachDatabase, makeTestBundle } from '@cairn/testkit';

/** The bundle as an upload stream, in 4 KiB pieces. */
async function* chunks(bytes: Uint8Array, size = 4096): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) {
    await Promise.resolve();
    yield bytes.subarray(i, i + size);
  }
}

/** Counts artifact downloads the agent opens. */
class CountingClient extends DdiClient {
  downloads = 0;
  override openDownload(
    href: string,
    offset: number,
    signal?: AbortSignal,
  ): Promise<IncomingMessage> {
    this.downloads++;
    return super.openDownload(href, offset, signal);
  }
}

forEachDatabase(
  'agent e2e: download-only finishes on "downloaded"; a later action installs from the staged file; a window-blocked action stages and waits',
  async (_db, _t, config) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cairn-dl-e2e-'));
    const server = await createServer({
      dataDir,
      database: config,
      port: 0,
      adminToken: 'test-admin-token-0123456789',
    });
    // closed before forEachDatabase drops the test schema
    try {
      const s = { server, url: await server.listen() };
      const { releases, devices, actions, products } = s.server.services;
      // a product signed through a certificate chain (x5chain), as the agent's devices are
      const fx = await createFirmwareFixture({ alg: 'P-256' });
      await products.create({
        id: 'sensor',
        name: 'Sensor',
        vendorId: formatUuid(fx.vendorId),
        classId: formatUuid(fx.classId),
        anchors: [{ kind: 'pem', value: fx.anchorPem }],
      });
      const payload = new Uint8Array(Buffer.from('firmware 3.0 '.repeat(20_000)));
      const bundle = await makeTestBundle(fx, { sequenceNumber: 3, payload, version: '3.0' });
      const release = await releases.upload('sensor', chunks(bundle), {
        actor: 'test',
        version: '3.0',
      });
      const { targetToken } = await devices.add({ controllerId: 'dev-1', productId: 'sensor' });

      const factory = Buffer.from('factory image\n'.repeat(100));
      const device = await SimulatedDevice.create({
        anchors: [anchorFromPem(fx.anchorPem)],
        identity: { vendorId: fx.vendorId, classId: fx.classId },
        factoryImage: factory,
        clock: () => new Date('2026-06-01T00:00:00Z'), // within the test chain's validity
      });
      const client = new CountingClient({
        baseUrl: s.url,
        controllerId: 'dev-1',
        auth: { type: 'target', token: targetToken },
      });
      const ota = new OtaUpdater({ client, agent: device.agent, disk: device.disk });

      // 1. download-only: staged and reported; the server finishes the action
      const dl = await actions.create('dev-1', release.id, { type: 'downloadonly' });
      const first = (await ota.pollOnce()).outcome;
      assert.ok(first.kind === 'downloaded', inspect(first));
      assert.equal(first.actionId, String(dl.id));
      assert.equal(first.waitingFor, 'download-only');
      assert.deepEqual(
        Buffer.from((await device.disk.read(first.path)) ?? []),
        Buffer.from(bundle),
      );
      const finished = await actions.get(dl.id);
      assert.equal(finished.status, 'finished');
      assert.equal(finished.active, false);
      const history = await actions.history(dl.id);
      assert.ok(
        history.some((h) => h.messages.some((m) => /downloaded and verified/.test(m))),
        inspect(history),
      );
      assert.equal(client.downloads, 1);
      assert.equal((await ota.pollOnce()).outcome.kind, 'idle', 'nothing more to do');
      assert.equal(await device.bootControl.getPrimary(), 'A', 'nothing installed');
      assert.equal(await device.disk.read(device.slots.describe('B')), undefined);

      // 2. a forced action for the same release installs from the staged file, no download
      const forced = await actions.create('dev-1', release.id, { type: 'forced' });
      const inst = (await ota.pollOnce()).outcome;
      assert.ok(inst.kind === 'installed', inspect(inst));
      assert.equal(client.downloads, 1, 'installed from the staged file');
      assert.deepEqual(await device.disk.list('/data/staged'), [], 'staged file removed');
      const boot = await device.boot();
      assert.ok(boot.booted === 'B' && 'agent' in boot && boot.agent.outcome === 'committed');
      await ota.reportBoot(boot.agent);
      assert.equal((await actions.get(forced.id)).status, 'finished');
      assert.equal(await device.counter.read(), 3n);

      // 3. a forced action outside its maintenance window: staged, the action 'downloaded'
      const payload4 = new Uint8Array(Buffer.from('firmware 4.0 '.repeat(20_000)));
      const bundle4 = await makeTestBundle(fx, { sequenceNumber: 4, payload: payload4 });
      const release4 = await releases.upload('sensor', chunks(bundle4), {
        actor: 'test',
        version: '4.0',
      });
      const win = await actions.create('dev-1', release4.id, {
        type: 'forced',
        maintenanceWindow: { available: false },
      });
      const staged = (await ota.pollOnce()).outcome;
      assert.ok(staged.kind === 'downloaded', inspect(staged));
      assert.equal(staged.waitingFor, 'maintenance-window');
      assert.equal(staged.downloadedNow, true);
      assert.equal(client.downloads, 2);
      const waiting = await actions.get(win.id);
      assert.deepEqual([waiting.status, waiting.active], ['downloaded', true]);
      const again = (await ota.pollOnce()).outcome;
      assert.ok(again.kind === 'downloaded' && !again.downloadedNow, inspect(again));
      assert.equal(client.downloads, 2, 'not downloaded again while the window stays closed');
      assert.equal(await device.bootControl.getPrimary(), 'B', 'not installed');

      // canceled while it waits: accepted, the staged bundle removed
      await actions.cancel(win.id);
      const c = (await ota.pollOnce()).outcome;
      assert.ok(c.kind === 'canceled' && c.accepted, inspect(c));
      assert.equal((await actions.get(win.id)).status, 'canceled');
      assert.deepEqual(await device.disk.list('/data/staged'), []);
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
