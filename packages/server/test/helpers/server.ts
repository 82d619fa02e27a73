/** Start a server on a test database (from forEachDatabase) and a temp data directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Database, DatabaseConfig } from '@cairn/db';
import { forEachDatabase } from '@cairn/testkit';
import { createServer } from '@cairn/server';
import type { CairnServer, ServerConfig } from '@cairn/server';
import { newSigningKey, VENDOR_ID, CLASS_ID } from './bundles.js';
import type { SigningKey } from './bundles.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestServer {
  readonly server: CairnServer;
  readonly url: string;
  readonly key: SigningKey;
  readonly dataDir: string;
  /** fetch with the admin token. */
  admin(path: string, init?: RequestInit): Promise<Response>;
}

const closers: (() => Promise<void>)[] = [];

/** Start a server; it is closed by forEachServer before the test database is dropped. */
export async function startServer(
  _t: TestContext,
  database: DatabaseConfig,
  extra: Partial<ServerConfig> = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cairn-server-'));
  const server = await createServer({
    dataDir,
    database,
    port: 0,
    adminToken: ADMIN_TOKEN,
    pollingSleepSeconds: 60,
    ...extra,
  });
  const url = await server.listen();
  closers.push(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const key = newSigningKey();
  await server.services.products.create({
    id: 'gw',
    name: 'Gateway',
    vendorId: VENDOR_ID,
    classId: CLASS_ID,
    anchors: [{ kind: 'pem', value: key.publicPem }],
  });
  return {
    server,
    url,
    key,
    dataDir,
    admin: (path, init = {}) =>
      fetch(`${url}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          ...(init.headers as Record<string, string> | undefined),
        },
      }),
  };
}

/** forEachDatabase, closing every server the test started before its database goes away. */
export function forEachServer(
  name: string,
  fn: (db: Database, t: TestContext, config: DatabaseConfig) => Promise<void>,
): void {
  forEachDatabase(name, async (db, t, config) => {
    try {
      await fn(db, t, config);
    } finally {
      for (const close of closers.splice(0)) await close();
    }
  });
}
