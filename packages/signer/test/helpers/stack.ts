import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@cairn/db';
import { openKeyStore } from '@cairn/keys';
import type { KeyStore } from '@cairn/keys';
import { createSignerService, openSigner } from '@cairn/signer';
import type { Grant, SignerStack } from '@cairn/signer';
import { TEST_CLASS_ID, TEST_VENDOR_ID } from '@cairn/testkit';
import type { FastifyInstance } from 'fastify';

export const VENDOR = fmt(TEST_VENDOR_ID);
export const CLASS = fmt(TEST_CLASS_ID);
export const OTHER_CLASS = '11111111-2222-5333-8444-555555555555';

function fmt(b: Uint8Array): string {
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface Harness {
  readonly stack: SignerStack;
  readonly app: FastifyInstance;
  readonly keys: KeyStore;
  readonly admin: string;
  token(grants: Grant[], name?: string, ttlSeconds?: number): Promise<string>;
  call(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    token?: string,
    body?: unknown,
  ): Promise<{ status: number; json: Record<string, unknown>; text: string }>;
  close(): Promise<void>;
}

/** A software keystore in a temp dir (the service tests are not about HSM custody). */
export async function softwareKeys(): Promise<{ keys: KeyStore; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-signer-keys-'));
  const keys = await openKeyStore({
    backend: 'software',
    dir,
    passphrase: 'test passphrase',
    scryptLog2N: 15,
    warn: () => undefined,
  });
  return {
    keys,
    cleanup: async () => {
      await keys.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The whole service on `db` with an in-process Fastify app (inject) and an admin token. */
export async function harness(
  db: Database,
  opts: { keys?: KeyStore; clock?: () => Date } = {},
): Promise<Harness> {
  const own = opts.keys ? undefined : await softwareKeys();
  const keys = opts.keys ?? own!.keys;
  const stack = await openSigner({
    db,
    keys,
    checkpointIntervalMs: 0,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const app = await createSignerService({ service: stack.service, logger: false });
  const { token: admin } = await stack.service.tokens.create(
    { name: 'admin', grants: [{ role: 'admin', worker: '*' }], ttlSeconds: 3600 },
    'test',
  );
  const call: Harness['call'] = async (method, url, token, body) => {
    const res = await app.inject({
      method,
      url,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(res.body) as Record<string, unknown>;
    } catch {
      // text responses (checkpoints)
    }
    return { status: res.statusCode, json, text: res.body };
  };
  return {
    stack,
    app,
    keys,
    admin,
    async token(grants, name = 'tok', ttlSeconds = 3600) {
      return (await stack.service.tokens.create({ name, grants, ttlSeconds }, 'test')).token;
    },
    call,
    async close() {
      await app.close();
      await stack.close();
      await own?.cleanup();
    },
  };
}

/** Create worker `name` over a new P-256 key (chain issued by the service's PKI). */
export async function createWorker(
  h: Harness,
  name: string,
  policy: Record<string, unknown> = {},
  formats = ['suit'],
): Promise<void> {
  await h.keys.generate(`${name}-key`, 'ecdsa-p256');
  const res = await h.call('POST', '/api/v1/workers', h.admin, {
    name,
    keyLabel: `${name}-key`,
    products: [{ vendorId: VENDOR, classId: CLASS }],
    formats,
    policy,
  });
  if (res.status !== 201) throw new Error(`worker create failed: ${res.status} ${res.text}`);
}

export function release(
  sequence: number | string,
  sha = 'ab'.repeat(32),
  classId = CLASS,
): Record<string, unknown> {
  return {
    vendorId: VENDOR,
    classId,
    version: '1.2.3',
    sequence,
    components: [{ id: 'rootfs', sha256: sha, size: 1024 }],
  };
}
