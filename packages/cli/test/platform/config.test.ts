import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ValidationError } from '@cairn/core';
import { loadPlatformConfig, PLATFORM_DEFAULTS, productUuids, uuidV5 } from '@cairn/cli';

function tmp(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-config-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

test('uuidV5 matches the RFC 9562 / Python uuid5 value for www.example.com in the DNS namespace', () => {
  assert.equal(
    uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com'),
    '2ed6657d-e927-568b-95e1-2665a8aea6a2',
  );
  const ids = productUuids('cairn.example', 'demo-gateway');
  assert.equal(ids.classId, uuidV5(ids.vendorId, 'demo-gateway'));
  assert.match(
    ids.vendorId,
    /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
});

test('defaults: ./cairn-data style layout, 8443/8444 on 127.0.0.1, software keystore', (t) => {
  const dir = tmp(t);
  const c = loadPlatformConfig({ dataDir: dir, env: {} });
  assert.equal(c.dataDir, dir);
  assert.deepEqual(c.signer, PLATFORM_DEFAULTS.signer);
  assert.deepEqual(c.server, PLATFORM_DEFAULTS.server);
  assert.deepEqual(c.keystore, { backend: 'software' });
  assert.equal(c.product.id, 'demo-gateway');
});

test('CAIRN_DATA picks the data directory; DATA/cairn.json is read; the environment overrides the file', (t) => {
  const dir = tmp(t);
  writeFileSync(
    join(dir, 'cairn.json'),
    JSON.stringify({
      signer: { port: 9443 },
      server: { port: 9444, pollingSleepSeconds: 5 },
      product: { id: 'gw-1' },
    }),
  );
  const c = loadPlatformConfig({ env: { CAIRN_DATA: dir, CAIRN_SERVER_PORT: '9555' } });
  assert.equal(c.signer.port, 9443);
  assert.equal(c.server.port, 9555);
  assert.equal(c.server.pollingSleepSeconds, 5);
  assert.equal(c.product.id, 'gw-1');
});

test('PKCS#11 from the environment; a missing token label is named', (t) => {
  const dir = tmp(t);
  const c = loadPlatformConfig({
    dataDir: dir,
    env: { CAIRN_PKCS11_MODULE: '/usr/lib/softhsm/libsofthsm2.so', CAIRN_PKCS11_TOKEN: 'cairn' },
  });
  assert.deepEqual(c.keystore, {
    backend: 'pkcs11',
    module: '/usr/lib/softhsm/libsofthsm2.so',
    tokenLabel: 'cairn',
    pinEnv: 'CAIRN_PKCS11_PIN',
  });
  assert.throws(
    () => loadPlatformConfig({ dataDir: dir, env: { CAIRN_PKCS11_MODULE: '/x.so' } }),
    (err: unknown) =>
      err instanceof ValidationError && err.issues.some((i) => i.path === 'keystore.tokenLabel'),
  );
});

test('a bad file reports every bad field by name', (t) => {
  const dir = tmp(t);
  const file = join(dir, 'other.json');
  writeFileSync(
    file,
    JSON.stringify({
      signer: { port: 70000, colour: 'red' },
      server: { host: '', port: 'x' },
      product: { id: 'Bad Id' },
      extra: 1,
      keystore: { backend: 'tpm' },
    }),
  );
  assert.throws(
    () => loadPlatformConfig({ dataDir: dir, configFile: file, env: {} }),
    (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.deepEqual(
        err.issues.map((i) => i.path).sort(),
        [
          'extra',
          'keystore.backend',
          'product.id',
          'server.host',
          'server.port',
          'signer.colour',
          'signer.port',
        ].sort(),
      );
      return true;
    },
  );
  writeFileSync(file, '{ not json');
  assert.throws(
    () => loadPlatformConfig({ dataDir: dir, configFile: file, env: {} }),
    /is not JSON/,
  );
  writeFileSync(file, JSON.stringify({ signer: { port: 9000 }, server: { port: 9000 } }));
  assert.throws(
    () => loadPlatformConfig({ dataDir: dir, configFile: file, env: {} }),
    /server\.port/,
  );
});
