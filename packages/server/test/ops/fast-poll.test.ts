/**
 * The raw fast path answers a cached poll before Fastify with the same bytes as the
 * Fastify route; every other request (uncached, wrong credentials, query string,
 * escapes, HEAD, trailing slash, other tenant) still goes to Fastify and gets the
 * answer and the typed error it got before. /metrics tells which path answered.
 */
import assert from 'node:assert/strict';
import type { ServerMetrics } from '@cairn/server';
import { ddiFixture } from '../helpers/ddi.js';
import { forEachServer } from '../helpers/server.js';
import { rawRequest } from './raw-http.js';

function counts(m: ServerMetrics): { fast: number; slow: number } {
  return { fast: m.ddiPollsFast, slow: m.ddiPollsSlow };
}

forEachServer('DDI fast path: same bytes as Fastify, only for cached polls', async (_db, t, c) => {
  const f = await ddiFixture(t, c);
  const m = f.server.services.metrics;
  const get = (path: string, auth = `TargetToken ${f.token}`, method = 'GET') =>
    rawRequest(f.url, [
      `${method} ${path} HTTP/1.1`,
      // Quotes and a backslash in Host: the hrefs must come back JSON-escaped either way.
      'host: dev"ice\\host:1',
      `authorization: ${auth}`,
    ]);

  // The device's state is not cached yet after setup writes: the first poll is slow.
  f.server.services.devices.invalidate('dev-1');
  const before = counts(m);
  const slow = await get('/DEFAULT/controller/v1/dev-1');
  assert.deepEqual(counts(m), { fast: before.fast, slow: before.slow + 1 });
  const fast = await get('/DEFAULT/controller/v1/dev-1');
  assert.deepEqual(counts(m), { fast: before.fast + 1, slow: before.slow + 1 });
  assert.equal(slow.statusLine, 'HTTP/1.1 200 OK');
  assert.deepEqual(fast, slow, 'status line, headers (bar Date) and body are identical');
  const body = JSON.parse(fast.body) as { _links: { deploymentBase?: { href: string } } };
  assert.match(
    body._links.deploymentBase?.href ?? '',
    /^http:\/\/dev"ice\\host:1\/DEFAULT\/controller\/v1\/dev-1\/deploymentBase\/\d+\?c=/,
  );
  // Tenant as written in the path, case-insensitive, on both paths alike.
  const lower = await get('/default/controller/v1/dev-1');
  assert.equal(m.ddiPollsFast, before.fast + 2);
  assert.match(lower.body, /\/default\/controller\/v1\/dev-1\/deploymentBase\//);

  // Header names in any case; of two Authorization headers the first one counts, on the
  // fast path (which reads rawHeaders) as in node's req.headers (which Fastify's path reads).
  const twice = (first: string, second: string) =>
    rawRequest(f.url, [
      'GET /DEFAULT/controller/v1/dev-1 HTTP/1.1',
      'HOST: dev"ice\\host:1',
      `AUTHORIZATION: TargetToken ${first}`,
      `Authorization: TargetToken ${second}`,
    ]);
  const n = m.ddiPollsFast;
  const goodFirst = await twice(f.token, 'wrong');
  assert.equal(m.ddiPollsFast, n + 1);
  assert.equal(goodFirst.body, fast.body);
  const wrongFirst = await twice('wrong', f.token);
  assert.match(wrongFirst.statusLine, / 401 /);
  assert.equal(m.ddiPollsFast, n + 1);

  // Everything else goes to Fastify: no fast answer, the same answer as before.
  const fastNow = m.ddiPollsFast;
  const other = [
    [await get('/DEFAULT/controller/v1/dev-1?x=1'), 200],
    [await get('/DEFAULT/controller/v1/dev%2D1'), 200],
    [await get('/DEFAULT/controller/v1/dev-1', `TargetToken ${f.otherToken}`), 401],
    [await get('/DEFAULT/controller/v1/dev-1', 'TargetToken wrong'), 401],
    [await get('/DEFAULT/controller/v1/dev-1', 'GatewayToken x'), 401],
    [await get('/DEFAULT/controller/v1/dev-1/'), 404],
    [await get('/OTHER/controller/v1/dev-1'), 404],
    [await get(`/DEFAULT/controller/v1/${'d'.repeat(101)}`), 414], // Fastify's maxParamLength
    [await get('/DEFAULT/controller/v1/dev-1', `TargetToken ${f.token}`, 'HEAD'), 200],
  ] as const;
  for (const [answer, status] of other) assert.match(answer.statusLine, new RegExp(` ${status} `));
  assert.equal(m.ddiPollsFast, fastNow, 'none of these took the fast path');
  assert.deepEqual(JSON.parse(other[0][0].body) as unknown, JSON.parse(fast.body) as unknown);

  // The fast path marks the device as seen, like the route; the mark reaches the database.
  const { devices } = f.server.services;
  await devices.lastSeen.flush();
  assert.equal(devices.lastSeen.pending, 0);
  const at = Date.now();
  await get('/DEFAULT/controller/v1/dev-1');
  assert.equal(m.ddiPollsFast, fastNow + 1);
  assert.equal(devices.lastSeen.pending, 1);
  await devices.lastSeen.flush();
  const row = (await devices.list()).find((d) => d.controllerId === 'dev-1');
  assert.ok(row?.lastSeen !== undefined && row.lastSeen.getTime() >= at - 1000);
});
