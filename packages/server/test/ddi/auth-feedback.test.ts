import assert from 'node:assert/strict';
import { ddiFixture, json } from '../helpers/ddi.js';
import { forEachServer } from '../helpers/server.js';
import { LEGACY_FEEDBACK_EXAMPLE } from './hawkbit-shapes.js';

const GATEWAY = 'gateway-token-for-tests-0123';

forEachServer(
  'DDI auth: missing, wrong and other devices’ credentials are refused',
  async (_db, t, config) => {
    const f = await ddiFixture(t, config, {
      deviceAuth: {
        gatewayToken: GATEWAY,
        proxy: { trustedProxies: ['127.0.0.1'], cnHeader: 'X-Ssl-Client-Cn' },
      },
    });
    const paths = [
      '',
      `/deploymentBase/${f.action.id}`,
      `/softwaremodules/${f.release.id}/artifacts`,
      `/softwaremodules/${f.release.id}/artifacts/update.swu`,
      `/installedBase/${f.action.id}`,
    ];
    for (const p of paths) {
      const missing = await f.ddi(p, {}, null);
      assert.equal(missing.status, 401, `missing credentials on ${p}`);
      assert.equal(((await missing.json()) as { errorCode: string }).errorCode, 'AUTH_REQUIRED');
      const wrong = await f.ddi(p, {}, 'not-a-token');
      assert.equal(wrong.status, 401, `wrong token on ${p}`);
      assert.equal(((await wrong.json()) as { errorCode: string }).errorCode, 'AUTH_INVALID');
      // dev-2's valid token does not open dev-1's resources.
      const other = await f.ddi(p, {}, f.otherToken);
      assert.equal(other.status, 401, `other device's token on ${p}`);
    }
    for (const scheme of ['Bearer', 'targettoken', 'TargetToken']) {
      const r = await f.ddi('', { headers: { authorization: `${scheme} ` } }, null);
      assert.equal(r.status, 401);
    }
    const fb = await f.ddi(
      `/deploymentBase/${f.action.id}/feedback`,
      { method: 'POST', headers: json, body: '{}' },
      f.otherToken,
    );
    assert.equal(fb.status, 401);

    // dev-2 with its own token cannot see dev-1's action under its own path either.
    const dev2 = `${f.url}/DEFAULT/controller/v1/dev-2`;
    const steal = await fetch(`${dev2}/deploymentBase/${f.action.id}`, {
      headers: { authorization: `TargetToken ${f.otherToken}` },
    });
    assert.equal(steal.status, 404);
    const stealArt = await fetch(`${dev2}/softwaremodules/${f.release.id}/artifacts/update.swu`, {
      headers: { authorization: `TargetToken ${f.otherToken}` },
    });
    assert.equal(stealArt.status, 404);

    // Gateway token: any registered device; unknown devices and wrong tokens refused.
    assert.equal(
      (await f.ddi('', { headers: { authorization: `GatewayToken ${GATEWAY}` } }, null)).status,
      200,
    );
    assert.equal(
      (
        await fetch(`${f.url}/DEFAULT/controller/v1/ghost`, {
          headers: { authorization: `GatewayToken ${GATEWAY}` },
        })
      ).status,
      401,
    );
    assert.equal(
      (await f.ddi('', { headers: { authorization: `GatewayToken ${GATEWAY}x` } }, null)).status,
      401,
    );

    // Reverse-proxy client certificate header, trusted from 127.0.0.1 only for the named CN.
    assert.equal((await f.ddi('', { headers: { 'x-ssl-client-cn': 'dev-1' } }, null)).status, 200);
    assert.equal((await f.ddi('', { headers: { 'x-ssl-client-cn': 'dev-2' } }, null)).status, 401);
  },
);

forEachServer('DDI proxy headers from an untrusted address are ignored', async (_db, t, config) => {
  const f = await ddiFixture(t, config, {
    deviceAuth: { proxy: { trustedProxies: ['10.9.9.9'], cnHeader: 'X-Ssl-Client-Cn' } },
  });
  const r = await f.ddi('', { headers: { 'x-ssl-client-cn': 'dev-1' } }, null);
  assert.equal(r.status, 401);
});

forEachServer(
  'DDI feedback is idempotent; the legacy SWUpdate body is accepted',
  async (_db, t, config) => {
    const f = await ddiFixture(t, config);
    const { actions, devices } = f.server.services;
    const post = (body: unknown) =>
      f.ddi(`/deploymentBase/${f.action.id}/feedback`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify(body),
      });
    const proceeding = {
      status: {
        execution: 'proceeding',
        result: { finished: 'none', progress: { cnt: 1, of: 3 } },
        details: ['Downloading'],
      },
    };
    let changes = 0;
    actions.onChange(() => {
      changes++;
    });
    assert.equal((await post(proceeding)).status, 200);
    const afterFirst = await actions.history(f.action.id);
    assert.equal((await post(proceeding)).status, 200);
    assert.equal((await post(proceeding)).status, 200);
    assert.deepEqual(
      await actions.history(f.action.id),
      afterFirst,
      'a repeated report adds nothing',
    );
    assert.equal(changes, 1);
    assert.equal((await actions.get(f.action.id)).status, 'running');

    const legacy = { ...LEGACY_FEEDBACK_EXAMPLE, id: String(f.action.id) };
    assert.equal((await post(legacy)).status, 200);
    const closed = await actions.get(f.action.id);
    assert.deepEqual([closed.status, closed.active], ['finished', false]);
    assert.equal((await devices.get('dev-1')).installedReleaseId, f.release.id);
    // The same closing report again (a client retrying) is accepted and changes nothing.
    const before = await actions.history(f.action.id);
    assert.equal((await post(legacy)).status, 200);
    assert.deepEqual(await actions.history(f.action.id), before);
    assert.equal(changes, 2);
    // A different report on the closed action: 410 Gone, as hawkBit.
    assert.equal(
      (await post({ status: { execution: 'closed', result: { finished: 'failure' } } })).status,
      410,
    );

    // Failure path: closed/failure puts the device in error.
    const again = await actions.create('dev-1', f.release.id);
    await actions.feedback('dev-1', again.id, {
      execution: 'closed',
      finished: 'failure',
      details: ['flash write failed'],
      code: 17,
    });
    assert.equal((await actions.get(again.id)).status, 'error');
    assert.equal((await devices.get('dev-1')).state, 'error');
    const hist = await actions.history(again.id);
    const last = hist[0];
    assert.ok(last);
    assert.deepEqual(last.messages, ['flash write failed', 'Device reported status code: 17']);
    assert.equal(last.code, 17);
  },
);
