import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AgentError, type SimulatedDevice } from '@cairn/agent';
import { makeTestBundle } from '@cairn/testkit';
import { chunks, FACTORY, fixture, image, newDevice } from './helpers.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/**
 * The whole update — install, reboot into the trial, health check, commit, and one more
 * reboot — with the power cut at the n-th write / append / fsync / rename / directory
 * fsync, for every n, and for several crash outcomes (seeds decide which unsynced writes
 * survive and where torn writes tear). After each cut the device is powered on again
 * (as often as it takes to settle) and must:
 *   - always boot (never be left without a bootable slot),
 *   - boot only an intact image: the factory image or the new one, byte for byte,
 *   - never boot an image below the committed anti-rollback counter,
 *   - end either on the old image with counter 0 or on the new one with the counter raised,
 *   - and accept the same update again afterwards (nothing left half-done that blocks it).
 */
test('power loss at every write, fsync and rename boundary of install, trial boot and commit', async (t) => {
  const fx = await fixture();
  const img = image('v5', 3000);
  const bundle = await makeTestBundle(fx, { sequenceNumber: 5, payload: img });
  const known = new Map([
    [sha(FACTORY), 0n],
    [sha(img), 5n],
  ]);

  async function checkBooted(d: SimulatedDevice, where: string): Promise<void> {
    const slot = d.bootedSlot;
    assert.ok(slot !== undefined, `${where}: the device did not boot`);
    const content = (await d.disk.read(d.slots.describe(slot))) ?? new Uint8Array(0);
    const seq = known.get(sha(content));
    assert.ok(
      seq !== undefined,
      `${where}: booted slot ${slot} holds neither the factory nor the new image`,
    );
    const counter = await d.counter.read();
    assert.ok(counter === 0n || counter === 5n, `${where}: counter ${counter}`);
    assert.ok(seq >= counter, `${where}: booted image ${seq} is below the counter ${counter}`);
  }

  async function update(d: SimulatedDevice): Promise<void> {
    await d.agent.install(chunks(bundle, 700), { origin: 'usb' });
    const trial = await d.boot();
    assert.ok('agent' in trial);
    await d.boot();
  }

  let cuts = 0;
  let endedNew = 0;
  let endedOld = 0;
  for (const seed of [1, 2, 3, 4, 5]) {
    for (let n = 1; ; n++) {
      const d = await newDevice(fx, { seed });
      d.disk.cutAfter(n);
      let completed = false;
      try {
        await update(d);
        completed = true;
      } catch (err) {
        assert.ok(
          err instanceof AgentError && err.code === 'POWER_CUT',
          `seed ${seed} cut ${n}: ${String(err)}`,
        );
      }
      if (completed) {
        d.disk.disarm();
        assert.equal(await d.counter.read(), 5n, `seed ${seed}: the uncut run commits`);
        break;
      }
      cuts++;
      const where = `seed ${seed}, cut before operation ${n}`;
      // power on until the device settles (a trial boot may need a second boot to commit)
      const first = await d.powerCycle();
      assert.ok(
        first.booted !== undefined,
        `${where}: no bootable slot after the cut (${'reason' in first ? first.reason : ''})`,
      );
      await checkBooted(d, where);
      const second = await d.boot();
      assert.ok(second.booted !== undefined, `${where}: no bootable slot on the second boot`);
      await checkBooted(d, `${where} (second boot)`);
      const status = await d.agent.status();
      assert.equal(status.pending, undefined, `${where}: a trial is still pending after two boots`);
      const counter = await d.counter.read();
      if (counter === 5n) {
        endedNew++;
        assert.equal(
          sha((await d.disk.read(d.slots.describe(d.bootedSlot!))) ?? new Uint8Array(0)),
          sha(img),
        );
      } else {
        endedOld++;
        // the same update still installs and commits cleanly
        await update(d);
        await checkBooted(d, `${where} (retry)`);
        assert.equal(await d.counter.read(), 5n, `${where}: the retried update commits`);
      }
      assert.ok((await d.log.verify()) > 0, `${where}: the install log chain holds`);
    }
  }
  t.diagnostic(
    `${cuts} power cuts: ${endedNew} ended on the new image, ${endedOld} on the old one (then updated again)`,
  );
  assert.ok(cuts >= 200, `exercised ${cuts} cut points`);
  assert.ok(endedNew > 0 && endedOld > 0, `both outcomes seen (new ${endedNew}, old ${endedOld})`);
});
