import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main, type Io } from '@cairn/cli';
import { createServer } from '@cairn/server';
import { createFirmwareFixture, makeTestBundle } from '@cairn/testkit';

const ADMIN = 'cli-rollout-admin-token-0123456789';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = { out: '', err: '' };
  const sink: Io = { out: (t) => void (io.out += t), err: (t) => void (io.err += t) };
  const code = await main(argv, sink);
  return { code, ...io };
}

async function* once(b: Uint8Array): AsyncIterable<Uint8Array> {
  await Promise.resolve();
  yield b;
}

test('cairn server token create + cairn rollout create/start/approve/status --watch against a server', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cairn-cli-rollout-'));
  const server = await createServer({ dataDir, port: 0, adminToken: ADMIN });
  t.after(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
    delete process.env['CAIRN_ADMIN_TOKEN'];
    delete process.env['CAIRN_OPERATOR_TOKEN'];
  });
  const url = await server.listen();
  const { products, releases, devices } = server.services;
  const fx = await createFirmwareFixture();
  await products.create({
    id: 'gw',
    name: 'Gateway',
    vendorId: 'fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe',
    classId: '1492af14-2569-5e48-bf42-9b2d51f2ab45',
    anchors: [{ kind: 'pem', value: fx.anchorPem }],
  });
  const bundle = await makeTestBundle(fx, {
    sequenceNumber: 1,
    payload: new Uint8Array(500).fill(3),
  });
  const release = await releases.upload('gw', once(bundle), { actor: 'test', version: '1.0.0' });
  const targetTokens = new Map<string, string>();
  for (const cid of ['a', 'b']) {
    const { targetToken } = await devices.add({
      controllerId: cid,
      productId: 'gw',
      attributes: { hw: 'rev2' },
    });
    targetTokens.set(cid, targetToken);
  }
  const srv = ['--server', url];

  process.env['CAIRN_ADMIN_TOKEN'] = ADMIN;
  const tok = await run([
    'server',
    'token',
    'create',
    '--role',
    'operator',
    '--name',
    'ci',
    '--json',
    ...srv,
  ]);
  assert.equal(tok.code, 0, tok.err);
  const operator = (JSON.parse(tok.out) as { token: string; role: string }).token;
  process.env['CAIRN_OPERATOR_TOKEN'] = operator;
  const op = [...srv, '--admin-token-env', 'CAIRN_OPERATOR_TOKEN'];

  const bad = await run(['rollout', 'create', '--release', 'x', ...op]);
  assert.equal(bad.code, 2);
  const created = await run([
    'rollout',
    'create',
    '--release',
    String(release.id),
    '--filter',
    'hw=rev2',
    '--groups',
    '2',
    '--success-threshold',
    '100',
    '--require-approval',
    '--json',
    ...op,
  ]);
  assert.equal(created.code, 0, created.err);
  const r = JSON.parse(created.out) as { id: number; status: string; groups: { total: number }[] };
  assert.equal(r.status, 'waiting_for_approval');
  assert.deepEqual(
    r.groups.map((g) => g.total),
    [1, 1],
  );

  // An operator may not approve (403); the bootstrap admin (not the creator) may.
  const denied = await run(['rollout', 'approve', String(r.id), ...op]);
  assert.notEqual(denied.code, 0);
  assert.match(denied.err, /403|AUTH_FORBIDDEN/);
  assert.equal((await run(['rollout', 'approve', String(r.id), ...srv])).code, 0);
  const started = await run(['rollout', 'start', String(r.id), ...op]);
  assert.equal(started.code, 0, started.err);
  assert.match(started.out, /running/);
  assert.match(started.out, /group 1: running/);

  // Devices report success over DDI; status --watch ends when the rollout finishes.
  for (const cid of ['a', 'b']) {
    const actions = await server.services.actions.list({ controllerId: cid });
    const a = actions.find((x) => x.active);
    assert.ok(a !== undefined, `${cid} has an action once its group started`);
    const res = await fetch(`${url}/DEFAULT/controller/v1/${cid}/deploymentBase/${a.id}/feedback`, {
      method: 'POST',
      headers: {
        authorization: `TargetToken ${targetTokens.get(cid) ?? ''}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        status: { execution: 'closed', result: { finished: 'success' }, details: [] },
      }),
    });
    assert.equal(res.status, 200);
  }
  // b's action exists only because group 1 (a) succeeded and group 2 started.
  assert.equal((await server.services.actions.list({ controllerId: 'b' })).length, 1);
  const watched = await run([
    'rollout',
    'status',
    String(r.id),
    '--watch',
    '--interval',
    '1',
    '--max-wait',
    '10',
    ...op,
  ]);
  assert.equal(watched.code, 0, watched.err);
  assert.match(watched.out, /: finished \(2 devices\)/);
  assert.match(watched.out, /group 2: finished\s+1\/1 done, 100% ok/);
});
