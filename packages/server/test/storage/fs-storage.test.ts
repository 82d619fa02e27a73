import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertServerConfig, FsArtifactStorage } from '@cairn/server';
import { assertRejectsCode, assertThrowsCode } from '@cairn/testkit';
import { chunks } from '../helpers/bundles.js';

async function read(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of stream) parts.push(c);
  return Buffer.concat(parts);
}

void test('FsArtifactStorage: content-addressed put/get/range/stat/delete, caps, atomicity', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-store-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const store = new FsArtifactStorage(dir);
  const data = new Uint8Array(Buffer.from('artifact bytes '.repeat(1000)));
  const h = await store.put(chunks(data, 333), { maxBytes: 1 << 20 });
  assert.equal(h.sha256, createHash('sha256').update(data).digest('hex'));
  assert.equal(h.sha1, createHash('sha1').update(data).digest('hex'));
  assert.equal(h.md5, createHash('md5').update(data).digest('hex'));
  assert.equal(h.size, data.length);
  assert.deepEqual(await store.stat(h.sha256), { size: data.length });
  assert.deepEqual(new Uint8Array(await read(await store.get(h.sha256))), data);
  assert.deepEqual(
    new Uint8Array(await read(await store.get(h.sha256, { start: 10, end: 19 }))),
    data.subarray(10, 20),
  );
  await assertRejectsCode(
    () => store.get(h.sha256, { start: data.length, end: data.length }),
    'ARTIFACT_RANGE_NOT_SATISFIABLE',
  );
  // Same content again: same address, still one file.
  assert.equal((await store.put(chunks(data, 1000), { maxBytes: 1 << 20 })).sha256, h.sha256);

  // Over the cap, wrong announced digest, aborted: nothing visible, no temp file left.
  await assertRejectsCode(
    () => store.put(chunks(data, 100), { maxBytes: 500 }),
    'ARTIFACT_TOO_LARGE',
  );
  await assertRejectsCode(
    () =>
      store.put(chunks(new Uint8Array([1, 2, 3])), {
        maxBytes: 10,
        expectedSha256: '0'.repeat(64),
      }),
    'ARTIFACT_DIGEST_INVALID',
  );
  const ac = new AbortController();
  ac.abort();
  await assertRejectsCode(
    () => store.put(chunks(data), { maxBytes: 1 << 20, signal: ac.signal }),
    'ARTIFACT_ABORTED',
  );
  const staged = await (await store.begin({ maxBytes: 10 })).finish();
  await staged.discard();
  assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
  assert.equal(
    readdirSync(join(dir, 'sha256'), { recursive: true }).filter((p) => String(p).length > 3)
      .length,
    1,
  );

  await store.delete(h.sha256);
  assert.equal(await store.stat(h.sha256), undefined);
  await assertRejectsCode(() => store.get(h.sha256), 'ARTIFACT_NOT_FOUND');
  await assertRejectsCode(() => store.get('../../etc/passwd'), 'ARTIFACT_NOT_FOUND');
});

void test('server config: every bad field is named', () => {
  const err = assertThrowsCode(() => {
    assertServerConfig({
      dataDir: '',
      adminToken: 'short',
      port: 70000,
      pollingSleepSeconds: 0,
      publicUrl: 'ftp://x/',
      database: { dialect: 'postgres', connectionString: 'mysql://x' },
      tls: { cert: 'not pem', key: 'not pem' },
      deviceAuth: { gatewayToken: 'x', proxy: { trustedProxies: [], cnHeader: '' } },
    });
  }, 'INVALID_INPUT');
  const paths = (err as unknown as { issues: { path: string }[] }).issues.map((i) => i.path).sort();
  assert.deepEqual(paths, [
    'adminToken',
    'dataDir',
    'database.connectionString',
    'deviceAuth.gatewayToken',
    'deviceAuth.proxy.cnHeader',
    'deviceAuth.proxy.trustedProxies',
    'pollingSleepSeconds',
    'port',
    'publicUrl',
    'tls.cert',
    'tls.key',
  ]);
  assert.doesNotThrow(() => {
    assertServerConfig({ dataDir: '/tmp/x', adminToken: '0123456789abcdef' });
  });
});
