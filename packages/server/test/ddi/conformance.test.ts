import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ddiFixture, json } from '../helpers/ddi.js';
import { forEachServer } from '../helpers/server.js';
import {
  CANCEL_ACTION_EXAMPLE,
  CONFIG_DATA_EXAMPLE,
  CONTROLLER_BASE_EXAMPLE,
  DEPLOYMENT_BASE_EXAMPLE,
  FEEDBACK_EXAMPLE,
  shape,
} from './hawkbit-shapes.js';

interface Links {
  _links: Record<string, { href: string } | undefined>;
}

forEachServer(
  'DDI conformance: every endpoint answers with hawkBit shapes',
  async (_db, t, config) => {
    const f = await ddiFixture(t, config);
    const { actions, devices } = f.server.services;

    // controllerBase: polling sleep as HH:MM:SS, links to the open deployment and configData.
    const root = await f.ddi('');
    assert.equal(root.status, 200);
    const base = (await root.json()) as Links & { config: { polling: { sleep: string } } };
    assert.deepEqual(shape(base), shape(CONTROLLER_BASE_EXAMPLE));
    assert.equal(base.config.polling.sleep, '00:01:00');
    const deployHref = base._links['deploymentBase']?.href ?? '';
    assert.match(deployHref, new RegExp(`^${f.base}/deploymentBase/${f.action.id}\\?c=-?\\d+$`));
    assert.equal(base._links['configData']?.href, `${f.base}/configData`);

    // deploymentBase with actionHistory.
    const dep = await fetch(`${deployHref}&actionHistory=5`, {
      headers: { authorization: `TargetToken ${f.token}` },
    });
    assert.equal(dep.status, 200);
    const d = (await dep.json()) as typeof DEPLOYMENT_BASE_EXAMPLE;
    assert.deepEqual(shape(d), shape(DEPLOYMENT_BASE_EXAMPLE));
    assert.equal(d.id, String(f.action.id));
    assert.deepEqual([d.deployment.download, d.deployment.update], ['forced', 'forced']);
    const chunk = d.deployment.chunks[0];
    assert.deepEqual([chunk?.part, chunk?.version, chunk?.name], ['os', '1.0.75', 'Gateway']);
    const swu = chunk?.artifacts.find((a) => a.filename === 'update.swu');
    assert.deepEqual(swu?.hashes, {
      sha1: createHash('sha1').update(f.swu).digest('hex'),
      md5: createHash('md5').update(f.swu).digest('hex'),
      sha256: createHash('sha256').update(f.swu).digest('hex'),
    });
    assert.equal(swu.size, f.swu.length);
    const dl = swu._links['download-http'].href;
    assert.equal(dl, `${f.base}/softwaremodules/${f.release.id}/artifacts/update.swu`);
    assert.equal(swu._links['md5sum-http'].href, `${dl}.MD5SUM`);
    assert.equal(d.actionHistory.status, 'RUNNING');
    assert.ok(d.actionHistory.messages.some((m) => /retrieved/.test(m)));
    // Without ?actionHistory there is no history (hawkBit's default 0).
    const plain = (await (await f.ddi(`/deploymentBase/${f.action.id}`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(plain['actionHistory'], undefined);

    // Artifact list of the software module.
    const list = await f.ddi(`/softwaremodules/${f.release.id}/artifacts`);
    assert.equal(list.status, 200);
    const arts = (await list.json()) as unknown[];
    assert.deepEqual(
      shape(arts[0]),
      shape(DEPLOYMENT_BASE_EXAMPLE.deployment.chunks[0]?.artifacts[0]),
    );
    assert.equal(arts.length, 2);

    // configData: merge, then the link disappears.
    const put = await f.ddi('/configData', {
      method: 'PUT',
      headers: json,
      body: JSON.stringify(CONFIG_DATA_EXAMPLE),
    });
    assert.equal(put.status, 200);
    assert.deepEqual((await devices.get('dev-1')).attributes, CONFIG_DATA_EXAMPLE.data);
    const after = (await (await f.ddi('')).json()) as Links;
    assert.equal(after._links['configData'], undefined);
    await f.ddi('/configData', {
      method: 'PUT',
      headers: json,
      body: JSON.stringify({ mode: 'remove', data: { VIN: '' } }),
    });
    assert.deepEqual((await devices.get('dev-1')).attributes, { hwRevision: '2' });
    await f.ddi('/configData', {
      method: 'PUT',
      headers: json,
      body: JSON.stringify({ mode: 'replace', data: { a: 'b' } }),
    });
    assert.deepEqual((await devices.get('dev-1')).attributes, { a: 'b' });
    const badMode = await f.ddi('/configData', {
      method: 'PUT',
      headers: json,
      body: JSON.stringify({ mode: 'x', data: {} }),
    });
    assert.equal(badMode.status, 400);

    // feedback (current body) closes the action; installedBase becomes available.
    const fb = await f.ddi(`/deploymentBase/${f.action.id}/feedback`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(FEEDBACK_EXAMPLE),
    });
    assert.equal(fb.status, 200);
    const done = await actions.get(f.action.id);
    assert.deepEqual([done.status, done.active], ['finished', false]);
    const dev = await devices.get('dev-1');
    assert.deepEqual(
      [dev.state, dev.installedReleaseId, dev.installedActionId],
      ['in_sync', f.release.id, f.action.id],
    );
    const polled = (await (await f.ddi('')).json()) as Links;
    assert.equal(polled._links['deploymentBase'], undefined);
    assert.equal(polled._links['installedBase']?.href, `${f.base}/installedBase/${f.action.id}`);
    const inst = await f.ddi(`/installedBase/${f.action.id}`);
    assert.equal(inst.status, 200);
    assert.deepEqual(
      shape({ ...((await inst.json()) as object), actionHistory: { status: '', messages: [''] } }),
      shape(DEPLOYMENT_BASE_EXAMPLE),
    );
    // deploymentBase of a closed action is gone for the device; feedback on it is 410.
    assert.equal((await f.ddi(`/deploymentBase/${f.action.id}`)).status, 404);
    const late = await f.ddi(`/deploymentBase/${f.action.id}/feedback`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ status: { execution: 'proceeding', result: { finished: 'none' } } }),
    });
    assert.equal(late.status, 410);

    // cancelAction: a second action is canceled by the server, confirmed by the device.
    const second = await actions.create('dev-1', f.release.id, { type: 'soft' });
    const soft = (await (
      await f.ddi(`/deploymentBase/${second.id}`)
    ).json()) as typeof DEPLOYMENT_BASE_EXAMPLE;
    assert.deepEqual([soft.deployment.download, soft.deployment.update], ['attempt', 'attempt']);
    await actions.cancel(second.id);
    const cancelLinks = (await (await f.ddi('')).json()) as Links;
    assert.equal(cancelLinks._links['cancelAction']?.href, `${f.base}/cancelAction/${second.id}`);
    assert.equal(cancelLinks._links['deploymentBase'], undefined);
    const cancel = await f.ddi(`/cancelAction/${second.id}`);
    assert.equal(cancel.status, 200);
    const c = await cancel.json();
    assert.deepEqual(shape(c), shape(CANCEL_ACTION_EXAMPLE));
    assert.deepEqual(c, { id: String(second.id), cancelAction: { stopId: String(second.id) } });
    const cfb = await f.ddi(`/cancelAction/${second.id}/feedback`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ status: { execution: 'closed', result: { finished: 'success' } } }),
    });
    assert.equal(cfb.status, 200);
    assert.deepEqual(
      [(await actions.get(second.id)).status, (await actions.get(second.id)).active],
      ['canceled', false],
    );

    // download-only: "downloaded" completes it without changing the installed release.
    const third = await actions.create('dev-1', f.release.id, { type: 'downloadonly' });
    const dlo = (await (
      await f.ddi(`/deploymentBase/${third.id}`)
    ).json()) as typeof DEPLOYMENT_BASE_EXAMPLE;
    assert.deepEqual([dlo.deployment.download, dlo.deployment.update], ['forced', 'skip']);
    await f.ddi(`/deploymentBase/${third.id}/feedback`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ status: { execution: 'downloaded', result: { finished: 'none' } } }),
    });
    assert.equal((await actions.get(third.id)).status, 'finished');
    assert.equal((await devices.get('dev-1')).installedActionId, f.action.id);

    // Unknown tenant, unknown action, malformed ids, bad feedback bodies.
    assert.equal(
      (
        await fetch(`${f.url}/OTHER/controller/v1/dev-1`, {
          headers: { authorization: `TargetToken ${f.token}` },
        })
      ).status,
      404,
    );
    assert.equal((await f.ddi('/deploymentBase/999999')).status, 404);
    assert.equal((await f.ddi('/deploymentBase/abc')).status, 404);
    const bad = await f.ddi(`/deploymentBase/${third.id}/feedback`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ status: { execution: 'exploded' } }),
    });
    assert.equal(bad.status, 400);
    const badBody = (await bad.json()) as { errorCode: string; issues: { path: string }[] };
    assert.equal(badBody.errorCode, 'INVALID_INPUT');
    assert.deepEqual(
      badBody.issues.map((i) => i.path),
      ['status.execution', 'status.result.finished'],
    );
  },
);
