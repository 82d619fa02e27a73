import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Database } from '@cairn/db';
import { fromPem, initPki, Pki } from '@cairn/pki';
import { assertRejectsCode, forEachDatabase, requireTools } from '@cairn/testkit';
import { openssl, put, sharedKeyStore, tempDir } from '../helpers.js';

async function setup(db: Database, t: TestContext) {
  const { keys } = await sharedKeyStore();
  const dir = tempDir(t);
  const { pki, root, issuing } = await initPki({
    keys,
    db,
    root: {
      id: 'root',
      subject: { commonName: 'Cairn Test Root' },
      keyLabel: 'root-ca',
      keyType: 'ecdsa-p256',
    },
    issuing: {
      id: 'issuing-1',
      subject: { commonName: 'Cairn Test Issuing 1' },
      keyLabel: 'issuing-ca',
      keyType: 'ecdsa-p256',
    },
  });
  await keys.get('fw').catch(() => keys.generate('fw', 'ecdsa-p256'));
  return { keys, dir, pki, root, issuing };
}

forEachDatabase('revoke, CRL and OpenSSL crl_check', async (db, t) => {
  if (!requireTools(t, ['openssl'])) return;
  const { dir, pki, root, issuing } = await setup(db, t);
  const good = await pki.issue({
    profile: 'code-signing',
    keyLabel: 'fw',
    subject: { commonName: 'good' },
  });
  const bad = await pki.issue({
    profile: 'device',
    keyLabel: 'fw',
    subject: { commonName: 'dev-42' },
  });
  const revoked = await pki.revoke(bad.serial, 'keyCompromise');
  assert.equal(revoked.reason, 'keyCompromise');
  assert.ok(revoked.revokedAt);
  await assertRejectsCode(() => pki.revoke(bad.serial, 'superseded'), 'ALREADY_REVOKED');
  await assertRejectsCode(() => pki.revoke('00ff', 'superseded'), 'CERT_NOT_FOUND');

  const crl1 = await pki.generateCrl();
  const crl2 = await pki.generateCrl();
  assert.equal(crl1.caId, 'issuing-1');
  assert.equal(crl2.number, crl1.number + 1);
  assert.ok(crl2.nextUpdate > crl2.thisUpdate);

  const rootPem = put(dir, 'root.pem', root.pem);
  const chain = put(dir, 'chain.pem', issuing.pem + root.pem);
  const crlPem = put(dir, 'crl.pem', crl2.pem);
  const v = openssl(['crl', '-in', crlPem, '-CAfile', chain, '-noout', '-verify']);
  assert.equal(v.status, 0, v.out);
  assert.match(v.out, /verify OK/);
  const text = openssl(['crl', '-in', crlPem, '-noout', '-text']).out;
  assert.match(text, new RegExp(`X509v3 CRL Number:\\s+${crl2.number}`));
  assert.match(text, /Authority Key Identifier/);
  assert.match(text, /Key Compromise/);
  assert.ok(text.toLowerCase().includes(bad.serial), text);

  const ok = openssl([
    'verify',
    '-crl_check',
    '-CRLfile',
    crlPem,
    '-CAfile',
    rootPem,
    '-untrusted',
    put(dir, 'i.pem', issuing.pem),
    put(dir, 'good.pem', good.pem),
  ]);
  assert.equal(ok.status, 0, ok.out);
  const no = openssl([
    'verify',
    '-crl_check',
    '-CRLfile',
    crlPem,
    '-CAfile',
    rootPem,
    '-untrusted',
    put(dir, 'i2.pem', issuing.pem),
    put(dir, 'bad.pem', bad.pem),
  ]);
  assert.notEqual(no.status, 0);
  assert.match(no.out, /certificate revoked/);

  // Revoking the issuing CA goes on the root's CRL, and the CA stops issuing.
  await pki.revoke(issuing.serial, 'cACompromise');
  const rootCrl = await pki.generateCrl({ ca: 'root' });
  const rt = openssl([
    'crl',
    '-in',
    put(dir, 'root-crl.pem', rootCrl.pem),
    '-CAfile',
    rootPem,
    '-noout',
    '-verify',
    '-text',
  ]);
  assert.equal(rt.status, 0, rt.out);
  assert.ok(rt.out.toLowerCase().includes(issuing.serial));
  await assertRejectsCode(
    () => pki.issue({ profile: 'log', keyLabel: 'fw', subject: { commonName: 'x' } }),
    'CA_REVOKED',
  );
});

forEachDatabase('CA hierarchy, storage, export and reopen', async (db, t) => {
  const { keys, pki, root, issuing } = await setup(db, t);
  assert.equal(root.kind, 'root');
  assert.equal(issuing.parentId, 'root');
  await assertRejectsCode(
    () => pki.createRootCa({ id: 'root', subject: { commonName: 'again' }, keyLabel: 'root-ca' }),
    'CA_EXISTS',
  );
  const second = await pki.createIssuingCa({
    id: 'issuing-2',
    subject: { commonName: 'Issuing 2' },
    keyLabel: 'issuing-2',
    keyType: 'ed25519',
  });
  assert.equal(second.keyType, 'ed25519');
  assert.deepEqual((await pki.listCas()).map((c) => c.id).sort(), [
    'issuing-1',
    'issuing-2',
    'root',
  ]);

  const viaDefault = await pki.issue({
    profile: 'log',
    keyLabel: 'fw',
    subject: { commonName: 'log' },
  });
  assert.equal(viaDefault.caId, 'issuing-2', 'newest issuing CA is the default');
  const viaFirst = await pki.issue({
    profile: 'tls-server',
    keyLabel: 'fw',
    ca: 'issuing-1',
    subject: { commonName: 'srv' },
    san: { dns: ['srv.example'] },
    validityDays: 30,
  });
  assert.equal(viaFirst.caId, 'issuing-1');
  assert.equal(viaFirst.notAfter.getTime() - viaFirst.notBefore.getTime(), 30 * 86_400_000);
  assert.deepEqual(fromPem('CERTIFICATE', viaFirst.pem), viaFirst.der);

  const reopened = await Pki.open({ keys, db });
  const again = await reopened.getCertificate(viaFirst.serial.toUpperCase());
  assert.deepEqual(again.der, viaFirst.der);
  assert.equal(again.profile, 'tls-server');
  assert.equal((await reopened.listCertificates({ profile: 'log' })).length, 1);
  assert.equal(
    (await reopened.listCertificates({ ca: 'root' })).length,
    3,
    'root cert + 2 issuing CA certs',
  );
  await assertRejectsCode(() => reopened.getCa('nope'), 'CA_NOT_FOUND');
  await assertRejectsCode(
    () =>
      reopened.issue({ profile: 'log', keyLabel: 'fw', ca: 'root', subject: { commonName: 'x' } }),
    'PROFILE_VIOLATION',
  );
});

forEachDatabase('profile rules refuse bad requests', async (db, t) => {
  const { pki } = await setup(db, t);
  const base = { keyLabel: 'fw', subject: { commonName: 'x' } } as const;
  await assertRejectsCode(() => pki.issue({ ...base, profile: 'tls-server' }), 'PROFILE_VIOLATION');
  await assertRejectsCode(
    () => pki.issue({ ...base, profile: 'tls-server', san: { dns: ['bad_name!'] } }),
    'PROFILE_VIOLATION',
  );
  await assertRejectsCode(
    () => pki.issue({ ...base, profile: 'tls-server', san: { ip: ['300.1.1.1'] } }),
    'PROFILE_VIOLATION',
  );
  await assertRejectsCode(
    () => pki.issue({ ...base, profile: 'device', subject: { commonName: 'has space' } }),
    'PROFILE_VIOLATION',
  );
  await assertRejectsCode(
    () => pki.issue({ ...base, profile: 'code-signing', validityDays: 4 * 365 }),
    'PROFILE_VIOLATION',
  );
  await assertRejectsCode(
    () => pki.issue({ ...base, profile: 'code-signing', validityDays: 0 }),
    'PROFILE_VIOLATION',
  );
  await assertRejectsCode(
    () => pki.issue({ ...base, profile: 'code-signing', san: { dns: ['a.example'] } }),
    'PROFILE_VIOLATION',
  );
  await assertRejectsCode(
    () => pki.issue({ ...base, profile: 'code-signing', subject: { commonName: '' } }),
    'PROFILE_VIOLATION',
  );
  await assertRejectsCode(
    () => pki.issue({ ...base, profile: 'nope' as 'log' }),
    'PROFILE_UNKNOWN',
  );
  const err = await assertRejectsCode(
    () =>
      pki.issue({
        ...base,
        profile: 'tls-server',
        subject: { commonName: 'x', country: 'Germany' },
      }),
    'PROFILE_VIOLATION',
  );
  assert.match(err.message, /subject\.country/);

  // A short-lived issuing CA cannot issue past its own notAfter.
  await pki.createIssuingCa({
    id: 'short',
    subject: { commonName: 'Short' },
    keyLabel: 'short',
    keyType: 'ecdsa-p256',
    days: 30,
  });
  await assertRejectsCode(
    () => pki.issue({ ...base, profile: 'device', subject: { commonName: 'dev-1' } }),
    'VALIDITY_EXCEEDS_CA',
  );
  const ok = await pki.issue({
    ...base,
    profile: 'device',
    subject: { commonName: 'dev-1' },
    validityDays: 29,
  });
  assert.equal(ok.caId, 'short');
});

forEachDatabase('issuing before init gives PKI_NOT_INITIALIZED', async (db) => {
  const { keys } = await sharedKeyStore();
  const pki = await Pki.open({ keys, db });
  await assertRejectsCode(
    () => pki.issue({ profile: 'log', publicKey: new Uint8Array(1), subject: { commonName: 'x' } }),
    'PKI_NOT_INITIALIZED',
  );
  await assertRejectsCode(() => pki.generateCrl(), 'PKI_NOT_INITIALIZED');
});
