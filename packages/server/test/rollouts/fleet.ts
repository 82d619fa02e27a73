/** A fleet for rollout tests: a release, devices with TargetTokens, DDI and API helpers. */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { DatabaseConfig } from '@cairn/db';
import type { Release } from '@cairn/server';
import { chunks, makeBundle } from '../helpers/bundles.js';
import { ADMIN_TOKEN, startServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';

export interface Fleet extends TestServer {
  readonly release: Release;
  readonly tokens: Map<string, string>;
  /** Call the management API with a bearer token (default: the bootstrap admin token). */
  api(method: string, path: string, body?: unknown, token?: string): Promise<Response>;
  /** Poll as the device; the open action id from the deploymentBase / cancelAction link. */
  poll(controllerId: string): Promise<{ deploy?: number; cancel?: number }>;
  /** Send a DDI deploymentBase feedback as the device. */
  report(
    controllerId: string,
    actionId: number,
    finished: 'success' | 'failure',
  ): Promise<Response>;
  /** A fresh API token of a role. */
  token(role: 'viewer' | 'operator' | 'admin', name?: string): Promise<string>;
}

export async function fleet(
  t: TestContext,
  database: DatabaseConfig,
  devices: Record<string, Record<string, string>>,
): Promise<Fleet> {
  const s = await startServer(t, database);
  const { releases, devices: registry, tokens: apiTokens } = s.server.services;
  const bundle = await makeBundle({
    sequence: 3,
    payload: new Uint8Array(2000).fill(9),
    signer: s.key.signer,
  });
  const release = await releases.upload('gw', chunks(bundle), { actor: 'test', version: '3.0.0' });
  const tokens = new Map<string, string>();
  for (const [controllerId, attributes] of Object.entries(devices)) {
    const { targetToken } = await registry.add({ controllerId, productId: 'gw', attributes });
    tokens.set(controllerId, targetToken);
  }
  const ddi = (cid: string, path: string, init: RequestInit = {}) =>
    fetch(`${s.url}/DEFAULT/controller/v1/${cid}${path}`, {
      ...init,
      headers: {
        authorization: `TargetToken ${tokens.get(cid) ?? ''}`,
        'content-type': 'application/json',
      },
    });
  let n = 0;
  return {
    ...s,
    release,
    tokens,
    api: (method, path, body, token = ADMIN_TOKEN) =>
      fetch(`${s.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    async poll(cid) {
      const res = await ddi(cid, '');
      assert.equal(res.status, 200, `poll of ${cid}`);
      const b = (await res.json()) as { _links?: Record<string, { href: string }> };
      const id = (k: string) => {
        const m = /\/(?:deploymentBase|cancelAction)\/(\d+)/.exec(b._links?.[k]?.href ?? '');
        return m === null ? undefined : Number(m[1]);
      };
      const deploy = id('deploymentBase');
      const cancel = id('cancelAction');
      return {
        ...(deploy === undefined ? {} : { deploy }),
        ...(cancel === undefined ? {} : { cancel }),
      };
    },
    report: (cid, actionId, finished) =>
      ddi(cid, `/deploymentBase/${actionId}/feedback`, {
        method: 'POST',
        body: JSON.stringify({
          id: String(actionId),
          status: {
            execution: 'closed',
            result: { finished },
            details: [`installed: ${finished}`],
          },
        }),
      }),
    async token(role, name) {
      const { token } = await apiTokens.create({ name: name ?? `${role}-${++n}`, role }, 'test');
      return token;
    },
  };
}
