/**
 * The TargetToken cache is keyed by controller ID: it holds each device's token hash
 * (preloaded or read on first use) and the raw token once one matched it. These tests
 * hold it to the database's truth: the right token opens only its own device, a wrong
 * one never gets cached, an invalidation drops what was cached, and an unknown device is
 * asked of the database. Last-seen marks: a device marked in several seconds is written
 * once, with the latest; marked again after a flush, it is written again.
 */
import assert from 'node:assert/strict';
import { ddiFixture, storedLastSeen } from '../helpers/ddi.js';
import { forEachServer } from '../helpers/server.js';

forEachServer('TargetToken cache: keyed by controller ID, never wrong', async (_db, t, config) => {
  const f = await ddiFixture(t, config);
  const { devices } = f.server.services;

  // Nothing cached after the fixture's writes: the cache cannot tell; the database can.
  devices.invalidate('dev-1');
  devices.invalidate('dev-2');
  assert.equal(devices.cachedTokenMatches('dev-1', f.token), undefined);
  assert.equal(await devices.tokenMatches('dev-1', f.otherToken), false, "dev-2's token");
  // That database read cached dev-1's hash (not the wrong raw token): now the cache tells.
  assert.equal(devices.cachedTokenMatches('dev-1', f.otherToken), false);
  assert.equal(devices.cachedTokenMatches('dev-1', f.token), true, 'checked by hash, then cached');
  assert.equal(devices.cachedTokenMatches('dev-1', f.token), true, 'the raw token now');
  // A wrong token after the right one was cached: still false, and the right one still works.
  assert.equal(devices.cachedTokenMatches('dev-1', `${f.token}x`), false);
  assert.equal(devices.cachedTokenMatches('dev-1', f.token.slice(0, -1)), false);
  assert.equal(devices.cachedTokenMatches('dev-1', ''), false);
  assert.equal(devices.cachedTokenMatches('dev-1', f.token), true);
  assert.equal(await devices.tokenMatches('dev-2', f.token), false, "dev-1's token on dev-2");
  assert.equal(await devices.tokenMatches('dev-2', f.otherToken), true);

  // Unknown devices: false from the database, nothing cached for them.
  assert.equal(await devices.tokenMatches('nobody', f.token), false);
  assert.equal(devices.cachedTokenMatches('nobody', f.token), undefined);

  // An invalidation (every write for the device does one) drops the cached token.
  devices.invalidate('dev-1');
  assert.equal(devices.cachedTokenMatches('dev-1', f.token), undefined);
  assert.equal(await devices.tokenMatches('dev-1', f.token), true);

  // Preload fills hashes for every device; the raw token is cached on its first match.
  devices.invalidate('dev-2');
  await devices.preload();
  assert.equal(devices.cachedTokenMatches('dev-2', f.otherToken), true);
  assert.equal(devices.cachedTokenMatches('dev-2', f.token), false);

  // A removed device: its cached token stops working at once.
  const del = await f.admin('/api/v1/devices/dev-2', { method: 'DELETE' });
  assert.ok(del.status < 300, `delete answered ${del.status}`);
  assert.equal(devices.cachedTokenMatches('dev-2', f.otherToken), undefined);
  assert.equal(await devices.tokenMatches('dev-2', f.otherToken), false);
});

forEachServer('last-seen: the latest second of each device, written once', async (_db, t, c) => {
  const f = await ddiFixture(t, c);
  const { devices } = f.server.services;
  await devices.lastSeen.flush();
  const t0 = Date.UTC(2030, 0, 1, 12, 0, 0);
  devices.lastSeen.mark('dev-1', new Date(t0 + 500));
  devices.lastSeen.mark('dev-2', new Date(t0 + 1200));
  devices.lastSeen.mark('dev-1', new Date(t0 + 3700));
  devices.lastSeen.mark('dev-1', new Date(t0 + 3900));
  assert.equal(devices.lastSeen.pending, 2, 'one pending mark per device');
  await devices.lastSeen.flush();
  assert.equal(devices.lastSeen.pending, 0);
  assert.equal(await storedLastSeen(f, 'dev-1'), t0 + 3000);
  assert.equal(await storedLastSeen(f, 'dev-2'), t0 + 1000);

  // The next period: a device marked before is queued again (its mark is reused), once.
  devices.lastSeen.mark('dev-1', new Date(t0 + 7200));
  devices.lastSeen.mark('dev-1', new Date(t0 + 7300));
  assert.equal(devices.lastSeen.pending, 1);
  await devices.lastSeen.flush();
  assert.equal(await storedLastSeen(f, 'dev-1'), t0 + 7000);
  assert.equal(await storedLastSeen(f, 'dev-2'), t0 + 1000, 'not marked again, not written again');
});
