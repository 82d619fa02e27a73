import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSignerConfig, serveSigner, SignerClient } from '@cairn/signer';

test('TLS from Cairn PKI; client certificates issued by the PKI authenticate as mapped principals (mtls in the audit log)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-signer-mtls-'));
  process.env['CAIRN_KEYSTORE_PASSPHRASE'] ??= 'mtls test passphrase';
  const config = loadSignerConfig(join(dir, 'data'), undefined, { CAIRN_SIGNER_PORT: '0' });
  const running = await serveSigner(config, { logger: false });
  try {
    const ca = readFileSync(running.caFile!, 'utf8');
    const admin = new SignerClient({
      url: running.url,
      token: readFileSync(running.bootstrapTokenFile!, 'utf8').trim(),
      ca,
    });
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cert = await running.stack.pki.issue({
      profile: 'device',
      subject: { commonName: 'ci-runner-1' },
      publicKey: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    });
    const key = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const chain = cert.pem + (await running.stack.pki.getCa(cert.caId)).pem;

    // not mapped yet: 401, audited
    const unmapped = new SignerClient({ url: running.url, ca, cert: chain, key });
    const r0 = await unmapped.request('GET', '/api/v1/workers');
    assert.equal(r0.status, 401, r0.body);
    unmapped.close();

    const map = await admin.request('POST', '/api/v1/principals/certificates', {
      serial: cert.serial,
      principal: 'ci-runner-1',
      grants: [{ role: 'auditor', worker: '*' }],
    });
    assert.equal(map.status, 201, map.body);
    const client = new SignerClient({ url: running.url, ca, cert: chain, key });
    const r1 = await client.request('GET', '/api/v1/log/checkpoint');
    assert.equal(r1.status, 200, r1.body);
    const r2 = await client.request('POST', '/api/v1/tokens', {
      name: 'x',
      grants: [{ role: 'admin', worker: '*' }],
    });
    assert.equal(r2.status, 403);
    client.close();
    admin.close();

    const { size } = await running.stack.ledger.audit.head();
    const recs = await running.stack.ledger.audit.records(0, size);
    assert.ok(
      recs.some(
        (r) =>
          r.authMethod === 'mtls' &&
          r.actor === 'cert:ci-runner-1' &&
          r.action === 'log.read' &&
          r.decision === 'allowed',
      ),
    );
    assert.ok(
      recs.some(
        (r) => r.authMethod === 'mtls' && r.action === 'token.create' && r.decision === 'denied',
      ),
    );
    assert.ok(
      recs.some(
        (r) =>
          r.actor === 'anonymous' &&
          r.decision === 'denied' &&
          (r.reason ?? '').includes('not mapped'),
      ),
    );
  } finally {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
