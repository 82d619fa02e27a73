/**
 * Last-seen write resolution: the timer writes a device's `last_seen` row at most once per
 * resolution, with the device's latest second, and writes a waiting mark once the
 * resolution has passed even if the device polls no more. The management API shows the
 * in-memory mark, so it is never behind the device's latest poll, not even for a device
 * whose record is cached (it used to show the last_seen of when it was cached). `flush()`
 * and `close()` write every mark, due or not. A write that fails loses no mark.
 *
 * The database is read directly here (not through DeviceService, which adds the in-memory
 * mark), so the tests see what a restart or another reader would see.
 */
import assert from 'node:assert/strict';
import { sql } from '@cairn/db';
import { DeviceService } from '@cairn/server';
import { ddiFixture, storedLastSeen as stored } from '../helpers/ddi.js';
import type { DdiFixture } from '../helpers/ddi.js';
import { forEachServer } from '../helpers/server.js';

/** A DeviceService on the fixture's database with a clock the test moves. */
function devicesAt(f: DdiFixture, resolutionSeconds: number) {
  let now = Date.UTC(2030, 0, 1, 12, 0, 0);
  const devices = new DeviceService({
    db: f.server.services.db,
    products: f.server.services.products,
    clock: () => new Date(now),
    lastSeenFlushMs: 0, // the test calls flushDue() where the timer would
    lastSeenResolutionSeconds: resolutionSeconds,
  });
  const at = (seconds: number): number => {
    now = Date.UTC(2030, 0, 1, 12, 0, 0) + seconds * 1000;
    return now;
  };
  return { devices, at, t0: at(0) };
}

forEachServer('last-seen: written at most once per resolution, never lost', async (_db, t, c) => {
  const f = await ddiFixture(t, c);
  await f.server.services.devices.lastSeen.flush();
  const { devices, at, t0 } = devicesAt(f, 60);
  try {
    // A device's first mark is due at once.
    devices.touch('dev-1');
    await devices.lastSeen.flushDue();
    assert.equal(await stored(f, 'dev-1'), t0);
    assert.equal(devices.lastSeen.pending, 0);

    // Marks within the resolution wait; the API shows the latest poll all the same.
    at(10);
    devices.touch('dev-1');
    at(30);
    devices.touch('dev-1');
    at(59);
    await devices.lastSeen.flushDue();
    assert.equal(await stored(f, 'dev-1'), t0, 'not written within 60 s of the last write');
    assert.equal(devices.lastSeen.pending, 1);
    assert.equal((await devices.get('dev-1')).lastSeen?.getTime(), t0 + 30_000);
    const listed = (await devices.list()).find((d) => d.controllerId === 'dev-1');
    assert.equal(listed?.lastSeen?.getTime(), t0 + 30_000);

    // The device polls no more: its waiting mark is written once the resolution has passed.
    at(60);
    await devices.lastSeen.flushDue();
    assert.equal(await stored(f, 'dev-1'), t0 + 30_000);
    assert.equal(devices.lastSeen.pending, 0);

    // A device polling all the time is written once a resolution, with its latest poll.
    for (let s = 65; s <= 125; s += 5) {
      at(s);
      devices.touch('dev-1');
      await devices.lastSeen.flushDue();
      assert.equal(await stored(f, 'dev-1'), s < 120 ? t0 + 30_000 : t0 + 120_000, `at ${s} s`);
    }
    // 16 marks of dev-1 so far, 3 row writes: at 0, 60 and 120 s
    assert.equal(devices.lastSeen.rowsWritten, 3);

    // flush() writes every mark, due or not; so does close().
    at(126);
    devices.touch('dev-1');
    devices.touch('dev-2');
    await devices.lastSeen.flushDue();
    assert.equal(await stored(f, 'dev-1'), t0 + 120_000, 'dev-1 waits');
    assert.equal(await stored(f, 'dev-2'), t0 + 126_000, 'dev-2 is new: written');
    await devices.lastSeen.flush();
    assert.equal(await stored(f, 'dev-1'), t0 + 126_000);
    at(130);
    devices.touch('dev-1');
  } finally {
    await devices.close();
  }
  assert.equal(await stored(f, 'dev-1'), t0 + 130_000, 'written by close()');
});

forEachServer('last-seen: resolution 0 writes every mark at the next flush', async (_db, t, c) => {
  const f = await ddiFixture(t, c);
  await f.server.services.devices.lastSeen.flush();
  const { devices, at, t0 } = devicesAt(f, 0);
  try {
    for (const s of [0, 1, 7]) {
      at(s);
      devices.touch('dev-1');
      await devices.lastSeen.flushDue();
      assert.equal(await stored(f, 'dev-1'), t0 + s * 1000);
    }
  } finally {
    await devices.close();
  }
});

forEachServer('last-seen: a cached device shows its latest poll', async (_db, t, c) => {
  const f = await ddiFixture(t, c);
  const { devices } = f.server.services;
  await devices.lastSeen.flush();
  // Cache dev-1's record as it is now, then poll it through the cached fast path.
  await devices.preload();
  const before = (await devices.get('dev-1')).lastSeen?.getTime();
  await new Promise((r) => setTimeout(r, 1100)); // a later second than any earlier poll
  const res = await f.ddi('');
  assert.equal(res.status, 200);
  const seen = (await devices.get('dev-1')).lastSeen?.getTime();
  assert.ok(seen !== undefined && (before === undefined || seen > before), 'shows the new poll');
  assert.ok(seen <= Date.now() && seen >= Date.now() - 5000);
  const api = await f.admin('/api/v1/devices/dev-1');
  assert.equal(api.status, 200);
  assert.equal(((await api.json()) as { lastSeen: string }).lastSeen, new Date(seen).toISOString());
  await devices.lastSeen.flush();
  assert.equal(await stored(f, 'dev-1'), seen, 'the same second as written');
});

forEachServer('last-seen: a failed write keeps its marks for the next flush', async (_db, t, c) => {
  const f = await ddiFixture(t, c);
  await f.server.services.devices.lastSeen.flush();
  const { devices, at, t0 } = devicesAt(f, 60);
  const kdb = f.server.services.db.typed();
  const warned: string[] = [];
  const onWarning = (w: Error): void => {
    warned.push(w.message);
  };
  process.on('warning', onWarning);
  try {
    devices.touch('dev-1');
    await devices.lastSeen.flushDue();
    at(60);
    devices.touch('dev-1');
    devices.touch('dev-2');
    // the table is away: the writer thread fails, then the in-process write fails too
    await sql`ALTER TABLE devices RENAME TO devices_away`.execute(kdb);
    try {
      await assert.rejects(devices.lastSeen.flushDue(), /devices/);
    } finally {
      await sql`ALTER TABLE devices_away RENAME TO devices`.execute(kdb);
    }
    assert.equal(devices.lastSeen.pending, 2, 'both marks still pending');
    assert.equal(await stored(f, 'dev-1'), t0, 'nothing written');
    assert.equal(devices.lastSeen.rowsWritten, 1);
    // still due (not counted as written): the next flush writes both, and it is not
    // stuck behind the failed one
    at(61);
    await devices.lastSeen.flushDue();
    assert.equal(await stored(f, 'dev-1'), t0 + 60_000);
    assert.equal(await stored(f, 'dev-2'), t0 + 60_000);
    assert.equal(devices.lastSeen.pending, 0);
    assert.equal(devices.lastSeen.rowsWritten, 3);
    // the thread's failure was reported before the in-process attempt
    assert.equal(devices.lastSeen.offThread, true);
    assert.match(warned.join('\n'), /writing last-seen marks in-process/);
  } finally {
    process.off('warning', onWarning);
    await devices.close();
  }
});
