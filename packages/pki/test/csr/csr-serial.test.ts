import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { openDatabase } from '@cairn/db';
import { openKeyStore } from '@cairn/keys';
import { initPki, MAX_CSR_BYTES, normalizeSerial, parseCsr, randomSerial } from '@cairn/pki';
import { assertRejectsCode, createSoftHsmToken, requireTools } from '@cairn/testkit';
import { openssl, put, sharedKeyStore, tempDir } from '../helpers.js';

test('random serials: 16 bytes, positive, non-zero first byte, unique', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const s = randomSerial();
    assert.match(s, /^[0-7][0-9a-f]{31}$/);
    assert.notEqual(s.slice(0, 2), '00');
    seen.add(s);
  }
  assert.equal(seen.size, 2000);
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 20 }), (bytes) => {
      const hex = Buffer.from(bytes).toString('hex');
      assert.equal(normalizeSerial(hex.toUpperCase().match(/../g)!.join(':')), hex);
    }),
  );
  assert.equal(normalizeSerial('xyz'), undefined);
});

async function pkiWithDb(t: TestContext) {
  const { keys } = await sharedKeyStore();
  const dir = tempDir(t);
  const db = await openDatabase({ dialect: 'sqlite', path: `${dir}/pki.db` });
  t.after(() => db.close());
  const { pki, root, issuing } = await initPki({
    keys,
    db,
    root: { id: 'root', subject: { commonName: 'R' }, keyLabel: 'csr-root', keyType: 'ecdsa-p256' },
    issuing: {
      id: 'iss',
      subject: { commonName: 'I' },
      keyLabel: 'csr-iss',
      keyType: 'ecdsa-p256',
    },
  });
  return { pki, root, issuing, dir };
}

test('issueFromCsr verifies the CSR and ignores its CA=true request', async (t) => {
  if (!requireTools(t, ['openssl'])) return;
  const { pki, root, issuing, dir } = await pkiWithDb(t);
  for (const alg of ['EC', 'ED25519'] as const) {
    const key = `${dir}/${alg}.key`;
    const gen = openssl(
      alg === 'EC'
        ? ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]
        : ['genpkey', '-algorithm', 'ED25519', '-out', key],
    );
    assert.equal(gen.status, 0, gen.out);
    const csrPath = `${dir}/${alg}.csr`;
    const req = openssl([
      'req',
      '-new',
      '-key',
      key,
      '-subj',
      '/CN=dev-77/O=Acme',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-out',
      csrPath,
    ]);
    assert.equal(req.status, 0, req.out);
    const csrPem = openssl(['req', '-in', csrPath]).out;
    const cert = await pki.issueFromCsr({ csr: csrPem, profile: 'device' });
    assert.ok(cert.ignoredExtensions.includes('2.5.29.19'));
    const text = openssl(['x509', '-in', put(dir, `${alg}.pem`, cert.pem), '-noout', '-text']).out;
    assert.match(text, /CA:FALSE/);
    assert.match(text, /Subject: O ?= ?Acme, CN ?= ?dev-77/);
    const v = openssl([
      'verify',
      '-purpose',
      'sslclient',
      '-CAfile',
      put(dir, 'r.pem', root.pem),
      '-untrusted',
      put(dir, 'i.pem', issuing.pem),
      `${dir}/${alg}.pem`,
    ]);
    assert.equal(v.status, 0, v.out);
  }
  // A CSR whose signature no longer matches its content.
  const der = new Uint8Array(csrDer(`${dir}/EC.csr`, dir));
  der[der.length - 5] = der[der.length - 5]! ^ 0xff;
  await assertRejectsCode(() => parseCsr(der), 'CSR_INVALID');
  await assertRejectsCode(() => parseCsr('not a csr'), 'CSR_INVALID');
  await assertRejectsCode(() => parseCsr(new Uint8Array(MAX_CSR_BYTES + 1)), 'CSR_INVALID');
});

function csrDer(csrPath: string, dir: string): Buffer {
  const out = `${dir}/csr.der`;
  const r = openssl(['req', '-in', csrPath, '-outform', 'DER', '-out', out]);
  assert.equal(r.status, 0, r.out);
  return Buffer.from(openssl(['base64', '-in', out, '-A']).out, 'base64');
}

test('CA keys on SoftHSM2 (PKCS#11) sign certificates and CRLs OpenSSL accepts', async (t) => {
  if (!requireTools(t, ['softhsm2-util', 'pkcs11-tool', 'openssl'])) return;
  const token = createSoftHsmToken({ label: 'cairn-pki' });
  t.after(() => {
    token.cleanup();
  });
  const keys = await openKeyStore({
    backend: 'pkcs11',
    module: token.module,
    tokenLabel: token.tokenLabel,
    pin: token.pin,
  });
  t.after(() => keys.close());
  const dir = tempDir(t);
  const db = await openDatabase({ dialect: 'sqlite', path: `${dir}/pki.db` });
  t.after(() => db.close());
  const { pki, root, issuing } = await initPki({
    keys,
    db,
    root: {
      id: 'root',
      subject: { commonName: 'HSM Root' },
      keyLabel: 'hsm-root',
      keyType: 'ecdsa-p384',
    },
    issuing: {
      id: 'iss',
      subject: { commonName: 'HSM Issuing' },
      keyLabel: 'hsm-iss',
      keyType: 'ecdsa-p256',
    },
  });
  assert.equal((await keys.get('hsm-root')).backend, 'pkcs11');
  await keys.generate('fw', 'ecdsa-p256');
  const leaf = await pki.issue({
    profile: 'code-signing',
    keyLabel: 'fw',
    subject: { commonName: 'hsm fw' },
  });
  await pki.revoke(leaf.serial, 'superseded');
  const crl = await pki.generateCrl();
  const rootPem = put(dir, 'root.pem', root.pem);
  const issPem = put(dir, 'iss.pem', issuing.pem);
  const v = openssl([
    'verify',
    '-CAfile',
    rootPem,
    '-untrusted',
    issPem,
    put(dir, 'leaf.pem', leaf.pem),
  ]);
  assert.equal(v.status, 0, v.out);
  const c = openssl([
    'crl',
    '-in',
    put(dir, 'crl.pem', crl.pem),
    '-CAfile',
    issPem,
    '-noout',
    '-verify',
  ]);
  assert.equal(c.status, 0, c.out);
  const r = openssl([
    'verify',
    '-crl_check',
    '-CRLfile',
    `${dir}/crl.pem`,
    '-CAfile',
    rootPem,
    '-untrusted',
    issPem,
    `${dir}/leaf.pem`,
  ]);
  assert.match(r.out, /certificate revoked/);
});
