/**
 * Authorization matrix: every management route × {admin, operator, viewer, no token,
 * expired token, revoked token} → 401 / 403 / 2xx as the permission table says, and
 * every changing request (accepted or refused) is in the audit trail with its actor.
 */
import assert from 'node:assert/strict';
import { toDbTimestamp } from '@cairn/db';
import { can, ROUTE_CONTRACTS } from '@cairn/server';
import type { AuditRecord, ManagementTables } from '@cairn/server';
import { CLASS_ID, makeBundle, VENDOR_ID } from '../helpers/bundles.js';
import { forEachServer } from '../helpers/server.js';
import { fleet } from '../rollouts/fleet.js';

interface Req {
  readonly path: string;
  readonly body?: unknown;
  readonly raw?: Uint8Array;
}

const CALLERS = ['admin', 'operator', 'viewer', 'none', 'expired', 'revoked'] as const;

forEachServer(
  'management API: every route × role, 401 vs 403 vs 2xx, all changes audited',
  async (_db, t, config) => {
    const f = await fleet(t, config, { 'd-0': { batch: '0' } });
    const { devices, actions, rollouts, tokens, audit, db } = f.server.services;
    const bearer = new Map<string, { token: string; actor: string }>();
    for (const role of ['admin', 'operator', 'viewer'] as const) {
      const { token, info } = await tokens.create({ name: role, role }, 'test');
      bearer.set(role, { token, actor: `token:${info.id}` });
    }
    const exp = await tokens.create({ name: 'old', role: 'admin' }, 'test');
    await db
      .typed<ManagementTables>()
      .updateTable('api_tokens')
      .set({ expires_at: toDbTimestamp(new Date(Date.now() - 1000)) })
      .where('id', '=', exp.info.id)
      .execute();
    bearer.set('expired', { token: exp.token, actor: 'anonymous' });
    const rev = await tokens.create({ name: 'gone', role: 'admin' }, 'test');
    await tokens.revoke(rev.info.id);
    bearer.set('revoked', { token: rev.token, actor: 'anonymous' });

    let n = 0;
    let sequence = 10;
    const device = async (attrs: Record<string, string> = {}) => {
      const cid = `m-${++n}`;
      await devices.add({
        controllerId: cid,
        productId: 'gw',
        attributes: { batch: String(n), ...attrs },
      });
      return cid;
    };
    const rollout = async (opts: { approval?: boolean; start?: boolean; pause?: boolean } = {}) => {
      await device();
      const r = await rollouts.create(
        {
          name: `r${n}`,
          releaseId: f.release.id,
          filter: `batch=${n}`,
          requireApproval: opts.approval === true,
        },
        'token:someone-else',
      );
      if (opts.start === true) await rollouts.start(r.id, 'test');
      if (opts.pause === true) await rollouts.pause(r.id, 'test');
      return r.id;
    };
    const staticAction = await actions.create('d-0', f.release.id, { actor: 'test' });

    const cases: Record<string, () => Req | Promise<Req>> = {
      'GET /api/v1/products': () => ({ path: '/api/v1/products' }),
      'POST /api/v1/products': () => ({
        path: '/api/v1/products',
        body: {
          id: `p${++n}`,
          name: 'P',
          vendorId: VENDOR_ID,
          classId: CLASS_ID,
          anchors: [{ kind: 'pem', value: f.key.publicPem }],
        },
      }),
      'GET /api/v1/products/:productId': () => ({ path: '/api/v1/products/gw' }),
      'POST /api/v1/products/:productId/releases': async () => ({
        path: `/api/v1/products/gw/releases?version=9.${++sequence}`,
        raw: await makeBundle({
          sequence,
          payload: new Uint8Array(100).fill(1),
          signer: f.key.signer,
        }),
      }),
      'PUT /api/v1/releases/:id/artifacts/:fileName': () => ({
        path: `/api/v1/releases/${f.release.id}/artifacts/f${++n}.swu`,
        raw: new Uint8Array(64).fill(n % 256),
      }),
      'GET /api/v1/releases': () => ({ path: '/api/v1/releases?product=gw' }),
      'GET /api/v1/releases/:id': () => ({ path: `/api/v1/releases/${f.release.id}` }),
      'POST /api/v1/devices': () => ({
        path: '/api/v1/devices',
        body: { controllerId: `new-${++n}`, productId: 'gw', attributes: { a: 'b' } },
      }),
      'GET /api/v1/devices': () => ({ path: '/api/v1/devices?product=gw&limit=10' }),
      'GET /api/v1/devices/:controllerId': () => ({ path: '/api/v1/devices/d-0' }),
      'PATCH /api/v1/devices/:controllerId': () => ({
        path: '/api/v1/devices/d-0',
        body: { attributes: { k: String(++n) } },
      }),
      'DELETE /api/v1/devices/:controllerId': async () => ({
        path: `/api/v1/devices/${await device()}`,
      }),
      'GET /api/v1/devices/:controllerId/actions': () => ({
        path: '/api/v1/devices/d-0/actions',
      }),
      'POST /api/v1/devices/:controllerId/actions': async () => ({
        path: `/api/v1/devices/${await device()}/actions`,
        body: { releaseId: f.release.id, type: 'soft' },
      }),
      'GET /api/v1/actions/:id': () => ({ path: `/api/v1/actions/${staticAction.id}` }),
      'POST /api/v1/actions/:id/cancel': async () => {
        const a = await actions.create(await device(), f.release.id, { actor: 'test' });
        return { path: `/api/v1/actions/${a.id}/cancel` };
      },
      'POST /api/v1/rollouts': async () => {
        await device();
        return {
          path: '/api/v1/rollouts',
          body: { name: 'x', releaseId: f.release.id, filter: `batch=${n}` },
        };
      },
      'GET /api/v1/rollouts': () => ({ path: '/api/v1/rollouts?limit=5' }),
      'GET /api/v1/rollouts/:id': async () => ({ path: `/api/v1/rollouts/${await rollout()}` }),
      'POST /api/v1/rollouts/:id/start': async () => ({
        path: `/api/v1/rollouts/${await rollout()}/start`,
      }),
      'POST /api/v1/rollouts/:id/pause': async () => ({
        path: `/api/v1/rollouts/${await rollout({ start: true })}/pause`,
      }),
      'POST /api/v1/rollouts/:id/resume': async () => ({
        path: `/api/v1/rollouts/${await rollout({ start: true, pause: true })}/resume`,
      }),
      'POST /api/v1/rollouts/:id/stop': async () => ({
        path: `/api/v1/rollouts/${await rollout()}/stop`,
      }),
      'POST /api/v1/rollouts/:id/approve': async () => ({
        path: `/api/v1/rollouts/${await rollout({ approval: true })}/approve`,
        body: {},
      }),
      'GET /api/v1/audit': () => ({ path: '/api/v1/audit?limit=5' }),
      'POST /api/v1/tokens': () => ({
        path: '/api/v1/tokens',
        body: { name: `t${++n}`, role: 'viewer', expiresInDays: 1 },
      }),
      'GET /api/v1/tokens': () => ({ path: '/api/v1/tokens' }),
      'DELETE /api/v1/tokens/:id': async () => {
        const { info } = await tokens.create({ name: `x${++n}`, role: 'viewer' }, 'test');
        return { path: `/api/v1/tokens/${info.id}` };
      },
    };
    assert.deepEqual(
      Object.keys(cases).sort(),
      Object.keys(ROUTE_CONTRACTS).sort(),
      'the matrix covers every route contract',
    );

    let checked = 0;
    for (const [key, prepare] of Object.entries(cases)) {
      const [method = '', route = ''] = key.split(' ');
      const contract = ROUTE_CONTRACTS[key];
      assert.ok(contract !== undefined);
      for (const caller of CALLERS) {
        const req = await prepare();
        const cred = bearer.get(caller);
        const headers: Record<string, string> = {};
        if (cred !== undefined) headers['authorization'] = `Bearer ${cred.token}`;
        if (req.body !== undefined) headers['content-type'] = 'application/json';
        if (req.raw !== undefined) headers['content-type'] = 'application/octet-stream';
        const res = await fetch(`${f.url}${req.path}`, {
          method,
          headers,
          ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
          ...(req.raw !== undefined ? { body: req.raw } : {}),
        });
        const text = await res.text();
        const what = `${caller} ${method} ${route} → ${res.status} ${text.slice(0, 200)}`;
        if (caller === 'none' || caller === 'expired' || caller === 'revoked') {
          assert.equal(res.status, 401, what);
          const code = (JSON.parse(text) as { errorCode: string }).errorCode;
          assert.equal(code, caller === 'none' ? 'AUTH_REQUIRED' : 'AUTH_INVALID', what);
        } else if (!can(caller, contract.permission)) {
          assert.equal(res.status, 403, what);
          assert.equal(
            (JSON.parse(text) as { errorCode: string }).errorCode,
            'AUTH_FORBIDDEN',
            what,
          );
        } else {
          assert.ok(res.status >= 200 && res.status < 300, what);
        }
        if (method !== 'GET') {
          const subject = `${method} ${req.path.split('?')[0] ?? ''}`;
          const recent = await audit.list(5);
          const rec: AuditRecord | undefined = recent.find(
            (r) => r.subject === subject && r.event === `api.${contract.permission}`,
          );
          assert.ok(rec !== undefined, `audited: ${what}`);
          assert.equal(rec.outcome, res.status < 400 ? 'accepted' : 'refused', what);
          assert.equal(rec.actor, cred?.actor ?? 'anonymous', what);
        }
        checked++;
      }
    }
    assert.equal(checked, Object.keys(ROUTE_CONTRACTS).length * CALLERS.length);
  },
);
