import assert from 'node:assert/strict';
import type { RolloutWithGroups } from '@cairn/server';
import { forEachServer } from '../helpers/server.js';
import { fleet } from './fleet.js';
import type { Fleet } from './fleet.js';

const EU2 = { hw: 'rev2', region: 'eu' };
const DEVICES = {
  'eu-1': EU2,
  'eu-2': EU2,
  'eu-3': EU2,
  'eu-4': EU2,
  'eu-5': EU2,
  'eu-6': EU2,
  'us-1': { hw: 'rev2', region: 'us' },
  'old-1': { hw: 'rev1', region: 'eu' },
};

async function status(f: Fleet, id: number): Promise<RolloutWithGroups> {
  const res = await f.api('GET', `/api/v1/rollouts/${id}`, undefined, await f.token('viewer'));
  assert.equal(res.status, 200);
  return (await res.json()) as RolloutWithGroups;
}

const groupStates = (r: RolloutWithGroups) => r.groups.map((g) => g.status);

forEachServer(
  'rollout: approval, groups advance on DDI success, error threshold pauses, resume, stop cancels',
  async (_db, t, config) => {
    const f = await fleet(t, config, DEVICES);
    const operator = await f.token('operator');
    const admin = await f.token('admin');

    const body = {
      name: 'rev2 eu',
      releaseId: f.release.id,
      filter: 'hw=rev2 and region=eu',
      groups: 3,
      successThreshold: 50,
      errorThreshold: 40,
      type: 'forced',
      requireApproval: true,
    };
    const created = await f.api('POST', '/api/v1/rollouts', body, admin);
    assert.equal(created.status, 201);
    const r = (await created.json()) as RolloutWithGroups;
    assert.equal(r.status, 'waiting_for_approval');
    assert.equal(r.totalDevices, 6);
    assert.deepEqual(
      r.groups.map((g) => g.total),
      [2, 2, 2],
    );

    // Not before approval; never approved by its creator; operators cannot approve.
    const early = await f.api('POST', `/api/v1/rollouts/${r.id}/start`, undefined, operator);
    assert.equal(early.status, 409);
    assert.equal(
      ((await early.json()) as { errorCode: string }).errorCode,
      'ROLLOUT_STATE_CONFLICT',
    );
    const self = await f.api('POST', `/api/v1/rollouts/${r.id}/approve`, {}, admin);
    assert.equal(self.status, 403);
    assert.equal(
      ((await self.json()) as { errorCode: string }).errorCode,
      'ROLLOUT_APPROVER_IS_CREATOR',
    );
    assert.equal(
      (await f.api('POST', `/api/v1/rollouts/${r.id}/approve`, {}, operator)).status,
      403,
    );
    const approved = await f.api('POST', `/api/v1/rollouts/${r.id}/approve`, { remark: 'ok' });
    assert.equal(approved.status, 200);
    assert.equal(((await approved.json()) as RolloutWithGroups).approvedBy, 'admin');

    const started = await f.api('POST', `/api/v1/rollouts/${r.id}/start`, undefined, operator);
    assert.equal(started.status, 200);
    let s = await status(f, r.id);
    assert.equal(s.status, 'running');
    assert.deepEqual(groupStates(s), ['running', 'scheduled', 'scheduled']);
    // Group 1 devices see a deployment; the others and unmatched devices do not.
    const a1 = (await f.poll('eu-1')).deploy;
    const a2 = (await f.poll('eu-2')).deploy;
    assert.ok(a1 !== undefined && a2 !== undefined);
    for (const cid of ['eu-3', 'eu-5', 'us-1', 'old-1']) assert.deepEqual(await f.poll(cid), {});

    // One success of two reaches the 50% success threshold: group 2 starts.
    assert.equal((await f.report('eu-1', a1, 'success')).status, 200);
    s = await status(f, r.id);
    assert.deepEqual(groupStates(s), ['running', 'running', 'scheduled']);
    assert.equal(s.groups[0]?.counts.finished, 1);
    // The same report again changes nothing.
    const before = JSON.stringify((await status(f, r.id)).groups);
    assert.equal((await f.report('eu-1', a1, 'success')).status, 200);
    assert.equal(JSON.stringify((await status(f, r.id)).groups), before);

    // Group 2: one failure of two is 50% > 40%: the rollout pauses, group 3 waits.
    const a3 = (await f.poll('eu-3')).deploy;
    assert.ok(a3 !== undefined);
    assert.equal((await f.report('eu-3', a3, 'failure')).status, 200);
    s = await status(f, r.id);
    assert.equal(s.status, 'paused');
    assert.match(s.pauseReason ?? '', /error threshold/);
    assert.deepEqual(groupStates(s), ['running', 'running', 'scheduled']);
    assert.deepEqual(await f.poll('eu-5'), {});

    // Resume: group 2 no longer pauses; its other device succeeds → group 3 starts.
    assert.equal(
      (await f.api('POST', `/api/v1/rollouts/${r.id}/resume`, undefined, operator)).status,
      200,
    );
    assert.equal((await status(f, r.id)).status, 'running');
    const a4 = (await f.poll('eu-4')).deploy;
    assert.ok(a4 !== undefined);
    assert.equal((await f.report('eu-4', a4, 'success')).status, 200);
    s = await status(f, r.id);
    assert.deepEqual(groupStates(s), ['running', 'finished', 'running']);
    const a5 = (await f.poll('eu-5')).deploy;
    assert.ok(a5 !== undefined);

    // Stop: the open actions (eu-2, eu-5, eu-6) get a cancelAction link.
    assert.equal(
      (await f.api('POST', `/api/v1/rollouts/${r.id}/stop`, undefined, operator)).status,
      200,
    );
    s = await status(f, r.id);
    assert.equal(s.status, 'stopped');
    for (const cid of ['eu-2', 'eu-5', 'eu-6']) {
      const p = await f.poll(cid);
      assert.ok(p.cancel !== undefined, `${cid} is asked to cancel`);
    }
    assert.deepEqual(await f.poll('eu-1'), {});
    const again = await f.api('POST', `/api/v1/rollouts/${r.id}/start`, undefined, operator);
    assert.equal(again.status, 409);

    const events = (await f.server.services.audit.list(200)).map((e) => e.event);
    for (const e of [
      'rollout.create',
      'rollout.approve',
      'rollout.start',
      'rollout.resume',
      'rollout.stop',
      'action.cancel',
    ]) {
      assert.ok(events.includes(e), `audit has ${e}`);
    }
  },
);

forEachServer(
  'rollout: scheduled start, completion, bad input and filters',
  async (_db, t, config) => {
    const f = await fleet(t, config, DEVICES);
    const { rollouts } = f.server.services;
    const at = new Date(Date.now() + 3600_000);
    const r = await rollouts.create(
      {
        name: 'later',
        releaseId: f.release.id,
        filter: 'region=us or hw=rev1',
        groupPercentages: [50, 50],
        startAt: at.toISOString(),
        type: 'soft',
      },
      'token:test',
    );
    assert.equal(r.status, 'ready');
    assert.deepEqual(
      r.groups.map((g) => g.total),
      [1, 1],
    );
    await rollouts.tick(new Date(at.getTime() - 1000));
    assert.equal((await rollouts.get(r.id)).status, 'ready');
    await rollouts.tick(at);
    let s = await rollouts.get(r.id);
    assert.equal(s.status, 'running');
    // Both devices succeed: the last group finishes the rollout.
    for (const cid of ['old-1', 'us-1']) {
      const a = (await f.poll(cid)).deploy;
      if (a !== undefined) assert.equal((await f.report(cid, a, 'success')).status, 200);
    }
    for (const cid of ['old-1', 'us-1']) {
      const a = (await f.poll(cid)).deploy;
      if (a !== undefined) assert.equal((await f.report(cid, a, 'success')).status, 200);
    }
    s = await rollouts.get(r.id);
    assert.equal(s.status, 'finished');
    assert.deepEqual(groupStates(s), ['finished', 'finished']);
    await rollouts.tick(new Date(at.getTime() + 5000));
    assert.equal((await rollouts.get(r.id)).status, 'finished');

    // Bad input: 400 naming every bad field.
    const bad = await f.api('POST', '/api/v1/rollouts', {
      releaseId: 'x',
      groups: 0,
      successThreshold: 150,
      type: 'bogus',
      extra: 1,
    });
    assert.equal(bad.status, 400);
    const issues = ((await bad.json()) as { issues: { path: string }[] }).issues
      .map((i) => i.path)
      .sort();
    assert.deepEqual(issues, [
      'body.extra',
      'body.groups',
      'body.name',
      'body.releaseId',
      'body.successThreshold',
      'body.type',
    ]);
    const filt = await f.api('POST', '/api/v1/rollouts', {
      name: 'x',
      releaseId: f.release.id,
      filter: 'hw=',
    });
    assert.equal(filt.status, 400);
    assert.equal(
      ((await filt.json()) as { errorCode: string }).errorCode,
      'ROLLOUT_FILTER_INVALID',
    );
    const none = await f.api('POST', '/api/v1/rollouts', {
      name: 'x',
      releaseId: f.release.id,
      filter: 'hw=rev9',
    });
    assert.equal(none.status, 422);
  },
);
