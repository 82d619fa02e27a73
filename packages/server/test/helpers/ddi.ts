/** A server with a release (bundle + .swu file), a device and an action assigned to it. */
import type { TestContext } from 'node:test';
import { fromDbTimestamp } from '@cairn/db';
import type { DatabaseConfig } from '@cairn/db';
import type { Action, Release, ServerConfig } from '@cairn/server';
import { chunks, makeBundle } from './bundles.js';
import { startServer } from './server.js';
import type { TestServer } from './server.js';

export interface DdiFixture extends TestServer {
  readonly release: Release;
  readonly swu: Uint8Array;
  readonly token: string;
  readonly otherToken: string;
  readonly action: Action;
  readonly base: string;
  /** fetch a DDI path of device `dev-1` with its TargetToken (or the given headers). */
  ddi(path: string, init?: RequestInit, token?: string | null): Promise<Response>;
}

export async function ddiFixture(
  t: TestContext,
  database: DatabaseConfig,
  extra: Partial<ServerConfig> = {},
): Promise<DdiFixture> {
  const s = await startServer(t, database, extra);
  const { releases, devices, actions } = s.server.services;
  const bundle = await makeBundle({
    sequence: 1,
    payload: new Uint8Array(3000).fill(1),
    signer: s.key.signer,
  });
  const release = await releases.upload('gw', chunks(bundle), { actor: 'test', version: '1.0.75' });
  const swu = new Uint8Array(Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz'.repeat(10)));
  await releases.attach(release.id, 'update.swu', chunks(swu, 100), { actor: 'test' });
  const { targetToken: token } = await devices.add({ controllerId: 'dev-1', productId: 'gw' });
  const { targetToken: otherToken } = await devices.add({ controllerId: 'dev-2', productId: 'gw' });
  const action = await actions.create('dev-1', release.id, { type: 'forced' });
  const base = `${s.url}/DEFAULT/controller/v1/dev-1`;
  return {
    ...s,
    release,
    swu,
    token,
    otherToken,
    action,
    base,
    ddi: (path, init = {}, tok = token) =>
      fetch(`${base}${path}`, {
        ...init,
        headers: {
          ...(tok === null ? {} : { authorization: `TargetToken ${tok}` }),
          ...(init.headers as Record<string, string> | undefined),
        },
      }),
  };
}

export const json = { 'content-type': 'application/json' };

/**
 * A device's last_seen as stored in the database (ms), read directly: DeviceService adds
 * the in-memory mark, which may be ahead of the stored value by the write resolution.
 */
export async function storedLastSeen(s: TestServer, id: string): Promise<number | undefined> {
  const row = await s.server.services.db
    .typed<{ devices: { controller_id: string; last_seen: string | null } }>()
    .selectFrom('devices')
    .select('last_seen')
    .where('controller_id', '=', id)
    .executeTakeFirstOrThrow();
  return row.last_seen === null ? undefined : fromDbTimestamp(row.last_seen).getTime();
}
