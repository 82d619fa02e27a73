import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeyType } from '@cairn/core';
import type { KeyStore } from '@cairn/keys';
import {
  createCaCertificate,
  issueLeafCertificate,
  OID,
  PROFILES,
  randomSerial,
  toPem,
  type IssuerRef,
  type ProfileName,
  type ProfileRequest,
} from '@cairn/pki';
import { requireTools } from '@cairn/testkit';
import { openssl, put, sharedKeyStore, tempDir } from '../helpers.js';

const NOW = new Date();

async function hierarchy(keys: KeyStore, type: KeyType) {
  await keys.generate(`root-${type}`, type);
  await keys.generate(`issuing-${type}`, type);
  const root = await createCaCertificate({
    store: keys,
    keyLabel: `root-${type}`,
    subject: { commonName: `Root ${type}`, organization: 'Cairn Test' },
    days: 3650,
    now: NOW,
    serial: randomSerial(),
    pathLength: 1,
  });
  const rootRef: IssuerRef = {
    name: 'root',
    certificate: root,
    keyLabel: `root-${type}`,
    keyType: type,
  };
  const issuing = await createCaCertificate({
    store: keys,
    keyLabel: `issuing-${type}`,
    subject: { commonName: `Issuing ${type}` },
    days: 1825,
    now: NOW,
    serial: randomSerial(),
    pathLength: 0,
    issuer: rootRef,
  });
  return { root, issuing };
}

let leaves: Promise<unknown> | undefined;
function leafKeys(keys: KeyStore): Promise<unknown> {
  leaves ??= Promise.all([
    keys.generate('leaf-ec', 'ecdsa-p256'),
    keys.generate('leaf-ed', 'ed25519'),
  ]);
  return leaves;
}

const REQUESTS: Record<ProfileName, ProfileRequest> = {
  'code-signing': { subject: { commonName: 'firmware signer', organization: 'Acme' } },
  device: { subject: { commonName: 'dev-0001' } },
  'tls-server': {
    subject: { commonName: 'ota.example.com' },
    san: { dns: ['ota.example.com'], ip: ['127.0.0.1'] },
  },
  log: { subject: { commonName: 'transparency log' } },
};

const PURPOSE: Partial<Record<ProfileName, string>> = {
  'tls-server': 'sslserver',
  device: 'sslclient',
};

for (const caType of ['ecdsa-p256', 'ecdsa-p384', 'ed25519', 'rsa-pss-3072'] as const) {
  test(`OpenSSL accepts every profile issued by a ${caType} CA`, async (t) => {
    if (!requireTools(t, ['openssl'])) return;
    const { keys } = await sharedKeyStore();
    const dir = tempDir(t);
    const { root, issuing } = await hierarchy(keys, caType);
    const rootPem = put(dir, 'root.pem', root.toString('pem'));
    const issuingPem = put(dir, 'issuing.pem', issuing.toString('pem'));
    await leafKeys(keys);

    for (const profile of Object.keys(REQUESTS) as ProfileName[]) {
      const leafKey = profile === 'log' ? 'leaf-ed' : 'leaf-ec';
      const cert = await issueLeafCertificate({
        store: keys,
        issuer: {
          name: 'issuing',
          certificate: issuing,
          keyLabel: `issuing-${caType}`,
          keyType: caType,
        },
        profile: PROFILES[profile],
        publicKey: (await keys.get(leafKey)).publicKey,
        request: REQUESTS[profile],
        now: NOW,
        serial: randomSerial(),
      });
      const leaf = put(dir, `${profile}.pem`, toPem('CERTIFICATE', new Uint8Array(cert.rawData)));
      const purpose = PURPOSE[profile];
      const v = openssl([
        'verify',
        ...(purpose ? ['-purpose', purpose] : []),
        '-CAfile',
        rootPem,
        '-untrusted',
        issuingPem,
        leaf,
      ]);
      assert.equal(v.status, 0, `${profile}: ${v.out}`);
      assert.match(v.out, /: OK/);

      const text = openssl(['x509', '-in', leaf, '-noout', '-text']).out;
      assert.match(text, /Basic Constraints: critical\s+CA:FALSE/);
      assert.match(text, /Key Usage: critical\s+Digital Signature/);
      assert.match(text, /Subject Key Identifier/);
      assert.match(text, /Authority Key Identifier/);
      if (profile === 'code-signing') {
        assert.match(text, /Extended Key Usage:\s+Code Signing/);
        assert.match(text, /Private Key Usage Period:\s+Not Before: .+, Not After: /);
      }
      if (profile === 'device') {
        assert.match(text, /Digital Signature, Key Agreement/);
        assert.match(text, /TLS Web Client Authentication/);
        assert.match(text, /Subject: CN ?= ?dev-0001/);
      }
      if (profile === 'tls-server') {
        assert.match(text, /TLS Web Server Authentication/);
        assert.match(text, /DNS:ota\.example\.com, IP Address:127\.0\.0\.1/);
      }
      if (profile === 'log') assert.ok(text.includes(OID.cairnLogSigning), text);
    }

    const caText = openssl(['x509', '-in', issuingPem, '-noout', '-text']).out;
    assert.match(caText, /Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    assert.match(caText, /Key Usage: critical\s+Certificate Sign, CRL Sign/);
    const rootText = openssl(['x509', '-in', rootPem, '-noout', '-text']).out;
    assert.match(rootText, /CA:TRUE, pathlen:1/);
  });
}

test('the code-signing leaf certifies the key-store key and chains by AKI/SKI', async () => {
  const { keys } = await sharedKeyStore();
  await keys.generate('ca-b', 'ecdsa-p256');
  const issuing = await createCaCertificate({
    store: keys,
    keyLabel: 'ca-b',
    subject: { commonName: 'B' },
    days: 3650,
    now: NOW,
    serial: randomSerial(),
    pathLength: 0,
  });
  const leafKey = await keys.generate('fw', 'ecdsa-p384');
  const cert = await issueLeafCertificate({
    store: keys,
    issuer: { name: 'i', certificate: issuing, keyLabel: 'ca-b', keyType: 'ecdsa-p256' },
    profile: PROFILES['code-signing'],
    publicKey: leafKey.publicKey,
    request: REQUESTS['code-signing'],
    now: NOW,
    serial: randomSerial(),
  });
  assert.deepEqual(new Uint8Array(cert.publicKey.rawData), leafKey.publicKey);
  assert.ok(await cert.verify({ publicKey: issuing.publicKey, signatureOnly: true }));
  assert.equal(cert.notAfter.getTime() - cert.notBefore.getTime(), 365 * 86_400_000);
});
