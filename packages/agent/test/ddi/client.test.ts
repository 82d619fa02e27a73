import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DdiClient,
  DdiError,
  parseCancel,
  parseControllerBase,
  parseDeploymentBase,
  parsePollingSleep,
  PollSchedule,
} from '@cairn/agent';
import { assertRejectsCode, assertThrowsCode, DdiTestServer } from '@cairn/testkit';
import { clientFor, CONTROLLER, startServer, TOKEN } from './helpers.js';

test('polling sleep "HH:MM:SS" parses to ms; anything else is DDI_PROTOCOL', () => {
  assert.equal(parsePollingSleep('00:05:00'), 300_000);
  assert.equal(parsePollingSleep('12:00:00'), 12 * 3600_000);
  assert.equal(parsePollingSleep('00:00:07'), 7000);
  assert.equal(parsePollingSleep('999:00:00'), 24 * 3600_000, 'clamped to a day');
  for (const bad of ['', '5', '00:60:00', '00:00:60', '1:2:3', 'aa:bb:cc', '00:05:00 '])
    assertThrowsCode(() => parsePollingSleep(bad), 'DDI_PROTOCOL');
});

test('poll schedule: jitter within ±10 %, exponential backoff on failures, reset on success', () => {
  const fixed = new PollSchedule({ random: () => 0.5, backoffBaseMs: 1000, backoffMaxMs: 5000 });
  assert.deepEqual(
    [fixed.failure(), fixed.failure(), fixed.failure(), fixed.failure()],
    [1000, 2000, 4000, 5000],
  );
  assert.equal(fixed.success(60_000), 60_000);
  assert.equal(fixed.failure(), 1000, 'backoff restarts after a success');
  fc.assert(
    fc.property(fc.double({ min: 0, max: 0.999999, noNaN: true }), fc.nat(86_400_000), (r, ms) => {
      const d = new PollSchedule({ random: () => r }).success(ms);
      return d >= Math.floor(ms * 0.9) && d <= Math.ceil(ms * 1.1);
    }),
  );
});

test('a wrong token is DDI_UNAUTHORIZED; a right one polls', async (t) => {
  const srv = await startServer();
  t.after(() => srv.close());
  await assertRejectsCode(() => clientFor(srv, 'wrong').poll(), 'DDI_UNAUTHORIZED');
  const base = await clientFor(srv).poll();
  assert.equal(base.config.polling.sleep, '00:00:10');
  assert.equal(srv.requests.at(-1)?.authorization, `TargetToken ${TOKEN}`);
});

test('a GatewayToken is sent as such', async (t) => {
  const srv = await startServer({ gatewayToken: 'gw' });
  t.after(() => srv.close());
  const c = new DdiClient({
    baseUrl: srv.url,
    controllerId: CONTROLLER,
    auth: { type: 'gateway', token: 'gw' },
  });
  await c.poll();
  assert.equal(srv.requests.at(-1)?.authorization, 'GatewayToken gw');
});

test('an oversized JSON answer is refused (DDI_TOO_LARGE), by default above 1 MiB', async (t) => {
  const srv = await startServer();
  t.after(() => srv.close());
  srv.failures.oversizedControllerBase = 1024 * 1024 + 10;
  await assertRejectsCode(() => clientFor(srv).poll(), 'DDI_TOO_LARGE');
  srv.failures.oversizedControllerBase = 5000;
  const small = new DdiClient({
    baseUrl: srv.url,
    controllerId: CONTROLLER,
    auth: { type: 'target', token: TOKEN },
    maxJsonBytes: 4096,
  });
  await assertRejectsCode(() => small.poll(), 'DDI_TOO_LARGE');
  await clientFor(srv).poll(); // 5000 bytes are fine under the default cap
});

test('a slow server times out (DDI_UNREACHABLE); 500s are DDI_UNREACHABLE; a closed port too', async (t) => {
  const srv = await startServer();
  t.after(() => srv.close());
  srv.failures.delayMs = 400;
  await assertRejectsCode(() => clientFor(srv, TOKEN, 100).poll(), 'DDI_UNREACHABLE');
  srv.failures.delayMs = 0;
  srv.failures.errors500 = 1;
  await assertRejectsCode(() => clientFor(srv).poll(), 'DDI_UNREACHABLE');
  const dead = new DdiClient({ baseUrl: 'http://127.0.0.1:1', controllerId: CONTROLLER });
  await assertRejectsCode(() => dead.poll(), 'DDI_UNREACHABLE');
});

test('bad client configuration is DDI_CONFIG_INVALID', () => {
  assertThrowsCode(
    () => new DdiClient({ baseUrl: 'ftp://x', controllerId: 'a' }),
    'DDI_CONFIG_INVALID',
  );
  assertThrowsCode(
    () => new DdiClient({ baseUrl: 'not a url', controllerId: 'a' }),
    'DDI_CONFIG_INVALID',
  );
  assertThrowsCode(
    () => new DdiClient({ baseUrl: 'http://x', controllerId: 'a/../b' }),
    'DDI_CONFIG_INVALID',
  );
  assertThrowsCode(
    () =>
      new DdiClient({
        baseUrl: 'http://x',
        controllerId: 'a',
        auth: { type: 'target', token: 'a b\n' },
      }),
    'DDI_CONFIG_INVALID',
  );
});

test('the token goes only to the server origin, never to a foreign download host', async (t) => {
  const srv = await startServer();
  const other = await DdiTestServer.start({ controllerId: CONTROLLER });
  t.after(() => Promise.all([srv.close(), other.close()]));
  const c = clientFor(srv);
  const res = await c.openDownload(`${other.url}/nothing`, 0).catch((e: unknown) => e);
  assert.ok(res instanceof DdiError && res.code === 'DDI_NOT_FOUND');
  assert.equal(other.requests.at(-1)?.authorization, undefined);
});

test('DDI parsers report every bad field; hostile JSON only ever gives DDI_PROTOCOL', () => {
  try {
    parseDeploymentBase({
      deployment: { download: 'now', chunks: [{ artifacts: [{ size: -1 }] }] },
    });
    assert.fail('accepted');
  } catch (err) {
    assert.ok(err instanceof DdiError && err.code === 'DDI_PROTOCOL');
    for (const f of [
      'id',
      'deployment.download',
      'deployment.update',
      'artifacts[0].filename',
      'artifacts[0].size',
    ])
      assert.ok(err.message.includes(f), `${f} reported: ${err.message}`);
  }
  assertThrowsCode(() => parseControllerBase({ config: {} }), 'DDI_PROTOCOL');
  assertThrowsCode(
    () =>
      parseControllerBase({
        config: { polling: { sleep: '00:00:01' } },
        _links: { deploymentBase: { href: 'file:///etc/passwd' } },
      }),
    'DDI_PROTOCOL',
  );
  assertThrowsCode(() => parseCancel({ id: '1' }), 'DDI_PROTOCOL');
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      for (const parse of [parseControllerBase, parseDeploymentBase, parseCancel]) {
        try {
          parse(v);
        } catch (err) {
          if (!(err instanceof DdiError && err.code === 'DDI_PROTOCOL')) return false;
        }
      }
      return true;
    }),
    { numRuns: 300 },
  );
});
