/**
 * The poll path answers from caches once a device has polled; these tests hold it to
 * the database's truth after every kind of write: a new action, a cancel, a finished
 * action, a removed device (its token stops working), and last-seen marks reaching the
 * database. The Host header is the client's text and must come back JSON-escaped.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { ddiFixture } from '../helpers/ddi.js';
import { forEachServer } from '../helpers/server.js';

interface ControllerBase {
  config: { polling: { sleep: string } };
  _links: Record<string, { href: string } | undefined>;
}

forEachServer('DDI poll: cached answers follow every write', async (_db, t, config) => {
  const f = await ddiFixture(t, config);
  const { actions, devices } = f.server.services;
  const dev2 = `${f.url}/DEFAULT/controller/v1/dev-2`;
  const poll = async (token = f.otherToken, tenant = 'DEFAULT'): Promise<Response> =>
    fetch(`${f.url}/${tenant}/controller/v1/dev-2`, {
      headers: { authorization: `TargetToken ${token}` },
    });
  const links = async (): Promise<string[]> => {
    const r = await poll();
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await r.json()) as ControllerBase;
    assert.equal(body.config.polling.sleep, '00:01:00');
    return Object.keys(body._links).sort();
  };

  // Twice: the first poll fills the caches, the second is answered from them.
  assert.deepEqual(await links(), ['configData']);
  assert.deepEqual(await links(), ['configData']);
  assert.equal((await poll(f.otherToken, 'default')).status, 200, 'tenant is case-insensitive');
  assert.equal((await poll(f.otherToken, 'other')).status, 404);
  assert.equal((await poll(f.token)).status, 401, "dev-1's cached token does not open dev-2");

  // A new action shows up in the very next poll.
  const action = await actions.create('dev-2', f.release.id, { type: 'soft' });
  const withAction = (await (await poll()).json()) as ControllerBase;
  assert.match(
    withAction._links['deploymentBase']?.href ?? '',
    new RegExp(`^${dev2}/deploymentBase/${action.id}\\?c=-?\\d+$`),
  );

  // configData answered → its link goes; cancel → cancelAction instead of deploymentBase.
  const put = await fetch(`${dev2}/configData`, {
    method: 'PUT',
    headers: { authorization: `TargetToken ${f.otherToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ data: { hw: 'rev2' } }),
  });
  assert.equal(put.status, 200);
  assert.deepEqual(await links(), ['deploymentBase']);
  await actions.cancel(action.id);
  const canceling = (await (await poll()).json()) as ControllerBase;
  assert.equal(canceling._links['cancelAction']?.href, `${dev2}/cancelAction/${action.id}`);

  // The device agrees to the cancel: no open action, nothing installed.
  const fb = await fetch(`${dev2}/cancelAction/${action.id}/feedback`, {
    method: 'POST',
    headers: { authorization: `TargetToken ${f.otherToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ status: { execution: 'closed', result: { finished: 'success' } } }),
  });
  assert.equal(fb.status, 200);
  assert.deepEqual(await links(), []);

  // Last-seen marks reach the database on flush (whole seconds).
  const before = Date.now();
  assert.equal((await poll()).status, 200);
  await devices.lastSeen.flush();
  assert.equal(devices.lastSeen.pending, 0);
  // a worker thread with its own connection wrote them, on both dialects
  assert.equal(devices.lastSeen.offThread, true);
  const row = (await devices.list()).find((d) => d.controllerId === 'dev-2');
  assert.ok(row?.lastSeen !== undefined, 'last_seen written');
  assert.ok(row.lastSeen.getTime() >= before - 1000 && row.lastSeen.getTime() <= Date.now());
  assert.equal(row.lastSeen.getTime() % 1000, 0);

  // A removed device's token stops working at once, though it was cached.
  const del = await f.admin('/api/v1/devices/dev-2', { method: 'DELETE' });
  assert.ok(del.status < 300, `delete answered ${del.status}`);
  const gone = await poll();
  assert.equal(gone.status, 401);
  assert.equal(((await gone.json()) as { errorCode: string }).errorCode, 'AUTH_INVALID');
});

forEachServer('DDI poll: the Host header comes back JSON-escaped', async (_db, t, config) => {
  const f = await ddiFixture(t, config);
  const port = new URL(f.url).port;
  const host = `evil"host\\x:${port}`;
  const body = await new Promise<string>((resolve, reject) => {
    const req = http.get(
      {
        host: '127.0.0.1',
        port,
        path: '/DEFAULT/controller/v1/dev-1',
        headers: { host, authorization: `TargetToken ${f.token}` },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          resolve(text);
        });
      },
    );
    req.on('error', reject);
  });
  const parsed = JSON.parse(body) as ControllerBase;
  assert.equal(
    parsed._links['configData']?.href,
    `http://${host}/DEFAULT/controller/v1/dev-1/configData`,
  );
});
