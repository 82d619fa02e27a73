import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InstallError, type SimulatedDevice } from '@cairn/agent';
import { makeTestBundle } from '@cairn/testkit';
import { chunks, FACTORY, fixture, image, newDevice } from './helpers.js';

async function slotBytes(d: SimulatedDevice, slot: string): Promise<Buffer> {
  return Buffer.from((await d.disk.read(d.slots.describe(slot))) ?? []);
}

test('a valid update installs, trial-boots and commits; the counter rises only at commit', async () => {
  const fx = await fixture();
  const d = await newDevice(fx);
  const img = image('v1');
  const bundle = await makeTestBundle(fx, { sequenceNumber: 5, payload: img, version: '1.0.0' });

  const res = await d.agent.install(chunks(bundle), { origin: 'usb:/media/usb/fw-1.0.0.cairn' });
  assert.equal(res.slot, 'B');
  assert.equal(res.sequenceNumber, 5n);
  assert.equal(res.version, '1.0.0');
  assert.deepEqual(await slotBytes(d, 'B'), img, 'inactive slot holds the image');
  assert.deepEqual(await slotBytes(d, 'A'), FACTORY, 'active slot untouched');
  assert.equal(await d.counter.read(), 0n, 'counter not raised before the trial boot');
  assert.equal(await d.bootControl.getPrimary(), 'B');

  const boot = await d.boot();
  assert.equal(boot.booted, 'B');
  assert.ok('agent' in boot && boot.agent.outcome === 'committed');
  assert.equal(await d.counter.read(), 5n, 'counter raised at commit');
  const status = await d.agent.status();
  assert.equal(status.slots['B']?.state, 'good');
  assert.equal(status.slots['A']?.state, 'bad', 'the older slot is retired after commit');
  assert.equal(status.pending, undefined);
  const events = (await d.agent.log()).map((e) => e.event);
  assert.deepEqual(events, ['VERIFIED', 'WRITTEN', 'TRIAL_BOOT', 'COMMITTED']);
  // a reboot stays on B
  const again = await d.boot();
  assert.equal(again.booted, 'B');
  assert.ok('agent' in again && again.agent.outcome === 'idle');
});

test('a failed trial boot falls back to the previous slot; the counter stays', async () => {
  const fx = await fixture();
  const d = await newDevice(fx, {
    imageBoots: (img) => !Buffer.from(img).subarray(0, 5).equals(Buffer.from('CRASH')),
  });
  const bundle = await makeTestBundle(fx, {
    sequenceNumber: 2,
    payload: Buffer.concat([Buffer.from('CRASH'), image('bad')]),
  });
  await d.agent.install(chunks(bundle), { origin: 'ota' });
  const boot = await d.boot();
  assert.equal(boot.booted, 'A', 'fell back to A');
  assert.ok('agent' in boot && boot.agent.outcome === 'fell-back');
  assert.equal(boot.attempts, 4, 'B was tried 3 times (RAUC attempts), then A');
  assert.equal(await d.counter.read(), 0n);
  assert.equal((await d.agent.status()).slots['B']?.state, 'bad');
  const log = await d.agent.log();
  assert.equal(log.at(-1)?.event, 'FELL_BACK');
  assert.equal(log.at(-1)?.code, 'TRIAL_BOOT_FAILED');
});

test('a failing health check rejects the trial slot and the next boot falls back', async () => {
  const fx = await fixture();
  let healthy = false;
  const d = await newDevice(fx, { healthCheck: () => Promise.resolve(healthy) });
  await d.agent.install(
    chunks(await makeTestBundle(fx, { sequenceNumber: 3, payload: image('v3') })),
    { origin: 'ota' },
  );
  const trial = await d.boot();
  assert.ok(trial.booted === 'B' && trial.agent.outcome === 'trial-failed');
  const next = await d.boot();
  assert.ok(next.booted === 'A' && next.agent.outcome === 'fell-back');
  assert.equal(await d.counter.read(), 0n);
  healthy = true;
});

test('after a commit the older slot is never booted again, even if the new one stops booting', async () => {
  const fx = await fixture();
  let crash = false;
  const d = await newDevice(fx, { imageBoots: () => !crash });
  await d.agent.install(
    chunks(await makeTestBundle(fx, { sequenceNumber: 7, payload: image('v7') })),
    { origin: 'ota' },
  );
  assert.equal((await d.boot()).booted, 'B');
  assert.equal(await d.counter.read(), 7n);
  // an attacker (or a bug) re-enables the old slot: the bootloader still refuses it (below the counter)
  await d.bootControl.setPrimary('A');
  const b = await d.boot();
  assert.equal(b.booted, 'B', 'slot A (sequence 0 < counter 7) is refused');
  crash = true;
  const none = await d.boot();
  assert.equal(
    none.booted,
    undefined,
    'no fallback to the rolled-back image; recovery must fetch a new one',
  );
});

test('installing again while a trial is pending is refused', async () => {
  const fx = await fixture();
  const d = await newDevice(fx);
  await d.agent.install(
    chunks(await makeTestBundle(fx, { sequenceNumber: 1, payload: image('a') })),
    { origin: 'ota' },
  );
  await assert.rejects(
    d.agent.install(chunks(await makeTestBundle(fx, { sequenceNumber: 2, payload: image('b') })), {
      origin: 'ota',
    }),
    (e: unknown) => e instanceof InstallError && e.code === 'INSTALL_IN_PROGRESS',
  );
});

test('every healthy boot gives the running slot its attempts back (RAUC mark-good)', async () => {
  const fx = await fixture();
  const d = await newDevice(fx);
  for (let i = 0; i < 5; i++) {
    const b = await d.boot();
    assert.equal(b.booted, 'A');
  }
  const env = await d.disk.read('/boot/env');
  assert.match(Buffer.from(env ?? []).toString(), /BOOT_A_LEFT=3/);
});
