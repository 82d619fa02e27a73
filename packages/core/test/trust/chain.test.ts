import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  anchorFromCertificate,
  anchorFromPem,
  anchorFromPin,
  anchorFromSpki,
  spkiSha256,
  TrustStore,
  verifyCertificateChain,
} from '@cairn/core';
import type { ChainVerificationOptions, TrustAnchor } from '@cairn/core';
import {
  assertThrowsCode,
  buildTestChain,
  EKU_SERVER_AUTH,
  FIXTURE_AT,
  flipByte,
  generateTestKey,
  issueCertificate,
} from '@cairn/testkit';
import type { TestChain, TestKeyAlg } from '@cairn/testkit';

const rootAnchor = (c: TestChain): TrustAnchor => anchorFromSpki(c.root.key.spki);

function verify(c: TestChain, extra: Partial<ChainVerificationOptions> = {}) {
  return verifyCertificateChain({
    chain: c.chain,
    anchors: [rootAnchor(c)],
    at: FIXTURE_AT,
    ...extra,
  });
}

describe('verifyCertificateChain: valid chains', () => {
  for (const alg of ['P-256', 'P-384', 'Ed25519', 'RSA-2048'] as TestKeyAlg[]) {
    test(`${alg}: root -> issuing CA -> code-signing leaf`, async () => {
      const c = await buildTestChain({ alg });
      // Root key as a raw anchor outside the chain.
      const outside = verify(c);
      assert.equal(outside.anchoredAt, 2);
      assert.equal(outside.path.length, 2);
      assert.deepEqual(outside.spki, c.leaf.key.spki);
      assert.deepEqual(
        new Uint8Array(outside.publicKey.export({ format: 'der', type: 'spki' })),
        c.leaf.key.spki,
      );
      // Root certificate inside the chain, pinned by SPKI hash.
      const inside = verifyCertificateChain({
        chain: [...c.chain, c.root.der],
        anchors: [anchorFromPin(spkiSha256(c.root.key.spki))],
        at: FIXTURE_AT,
      });
      assert.equal(inside.anchoredAt, 2);
      assert.equal(inside.path.length, 3);
      assert.equal(inside.path[2]!.subjectText, 'CN=Cairn Test Root, O=Cairn Test');
    });
  }

  test('mixed algorithms: RSA root, P-384 CA, Ed25519 leaf', async () => {
    const c = await buildTestChain({
      root: { key: await generateTestKey('RSA-2048') },
      ca: { key: await generateTestKey('P-384') },
      leaf: { key: await generateTestKey('Ed25519') },
    });
    assert.equal(verify(c).publicKey.asymmetricKeyType, 'ed25519');
  });

  test('a pinned intermediate ends the path there', async () => {
    const c = await buildTestChain();
    const r = verifyCertificateChain({
      chain: [...c.chain, c.root.der],
      anchors: new TrustStore([anchorFromPin(spkiSha256(c.ca.key.spki))]),
      at: FIXTURE_AT,
    });
    assert.equal(r.anchoredAt, 1);
    assert.equal(r.path.length, 2);
  });

  test('a leaf pinned directly needs no issuer', async () => {
    const c = await buildTestChain();
    const r = verifyCertificateChain({
      chain: [c.leaf.der],
      anchors: [anchorFromPin(spkiSha256(c.leaf.key.spki))],
      at: FIXTURE_AT,
    });
    assert.equal(r.anchoredAt, 0);
    assert.equal(r.path.length, 1);
  });

  test('a non-critical unknown extension is ignored; requireCodeSigning:false skips EKU', async () => {
    const c = await buildTestChain({
      leaf: {
        eku: false,
        extraExtensions: [
          { oid: '1.3.6.1.4.1.99999.1', critical: false, value: Uint8Array.of(5, 0) },
        ],
      },
    });
    assert.equal(verify(c, { requireCodeSigning: false }).path.length, 2);
  });

  test('pathLenConstraint 1 on the root allows one intermediate', async () => {
    const c = await buildTestChain({ root: { basicConstraints: { ca: true, pathLen: 1 } } });
    assert.equal(verify(c, { chain: [...c.chain, c.root.der] }).path.length, 3);
  });
});

describe('verifyCertificateChain: each failure has its own code', () => {
  let good: TestChain;
  before(async () => {
    good = await buildTestChain();
  });

  test('CHAIN_EMPTY', () => {
    assertThrowsCode(() => verify(good, { chain: [] }), 'CHAIN_EMPTY');
  });

  test('CHAIN_TOO_LONG (default 5, and a caller cap)', () => {
    const six = Array.from({ length: 6 }, () => good.leaf.der);
    assertThrowsCode(() => verify(good, { chain: six }), 'CHAIN_TOO_LONG');
    assertThrowsCode(() => verify(good, { maxChainLength: 1 }), 'CHAIN_TOO_LONG');
  });

  test('CERT_TOO_LARGE', () => {
    const err = assertThrowsCode(
      () => verify(good, { chain: [new Uint8Array(16 * 1024 + 1), good.ca.der] }),
      'CERT_TOO_LARGE',
    );
    assert.match(err.message, /chain\[0\]/);
    assertThrowsCode(() => verify(good, { maxCertBytes: 100 }), 'CERT_TOO_LARGE');
  });

  test('CERT_MALFORMED: garbage, truncation, PEM instead of DER, trailing byte', () => {
    const bad = [
      Uint8Array.of(1, 2, 3),
      good.leaf.der.subarray(0, good.leaf.der.length - 1),
      new TextEncoder().encode(good.leaf.pem),
      Uint8Array.from([...good.leaf.der, 0]),
    ];
    for (const der of bad) {
      const err = assertThrowsCode(
        () => verify(good, { chain: [der, good.ca.der] }),
        'CERT_MALFORMED',
      );
      assert.match(err.message, /chain\[0\]/);
    }
  });

  test('SIGNATURE_INVALID: one flipped signature byte', () => {
    const err = assertThrowsCode(
      () => verify(good, { chain: [flipByte(good.leaf.der, -1), good.ca.der] }),
      'SIGNATURE_INVALID',
    );
    assert.match(err.message, /chain\[0\] \(leaf "CN=Cairn Test Firmware Signer/);
  });

  test('SIGNATURE_INVALID: leaf signed by a different key with the CA name', async () => {
    const impostor = await issueCertificate({
      subject: good.ca.subject,
      key: await generateTestKey(),
      basicConstraints: { ca: true },
      keyUsage: ['keyCertSign'],
    });
    const leaf = await issueCertificate({
      subject: 'CN=Forged',
      key: await generateTestKey(),
      issuer: impostor,
      keyUsage: ['digitalSignature'],
      eku: ['1.3.6.1.5.5.7.3.3'],
    });
    assertThrowsCode(() => verify(good, { chain: [leaf.der, good.ca.der] }), 'SIGNATURE_INVALID');
  });

  test('SIGNATURE_ALGORITHM_UNSUPPORTED: ecdsa-with-SHA224 is not on the list', () => {
    // Rewrite ecdsa-with-SHA256 (1.2.840.10045.4.3.2) to ecdsa-with-SHA224 (...4.3.1),
    // same length, in both AlgorithmIdentifiers of the leaf.
    const sha256 = Buffer.from('06082a8648ce3d040302', 'hex');
    const der = Buffer.from(good.leaf.der);
    let count = 0;
    for (let i = der.indexOf(sha256); i >= 0; i = der.indexOf(sha256, i + 1)) {
      der[i + sha256.length - 1] = 0x01;
      count++;
    }
    assert.equal(count, 2);
    const err = assertThrowsCode(
      () => verify(good, { chain: [new Uint8Array(der), good.ca.der] }),
      'SIGNATURE_ALGORITHM_UNSUPPORTED',
    );
    assert.match(err.message, /1\.2\.840\.10045\.4\.3\.1/);
  });

  test('NOT_ANCHORED: unrelated anchors, and an empty store', async () => {
    const other = await generateTestKey();
    const err = assertThrowsCode(
      () => verify(good, { anchors: [anchorFromSpki(other.spki)] }),
      'NOT_ANCHORED',
    );
    assert.match(err.message, /leaf SPKI SHA-256 [0-9a-f]{64}/);
    assertThrowsCode(() => verify(good, { anchors: [] }), 'NOT_ANCHORED');
    // A pin of the root does not anchor a chain that omits the root certificate.
    assertThrowsCode(
      () => verify(good, { anchors: [anchorFromPin(spkiSha256(good.root.key.spki))] }),
      'NOT_ANCHORED',
    );
  });

  test('CERT_EXPIRED and CERT_NOT_YET_VALID name the certificate', async () => {
    const expired = await buildTestChain({ leaf: { notAfter: new Date('2025-01-01T00:00:00Z') } });
    const e1 = assertThrowsCode(() => verify(expired), 'CERT_EXPIRED');
    assert.match(e1.message, /chain\[0\].*2025-01-01T00:00:00.000Z/);
    const future = await buildTestChain({ ca: { notBefore: new Date('2027-01-01T00:00:00Z') } });
    const e2 = assertThrowsCode(() => verify(future), 'CERT_NOT_YET_VALID');
    assert.match(e2.message, /chain\[1\] \(CA "CN=Cairn Test Issuing CA/);
    // The reference time decides: the same chain is fine later.
    assert.ok(verify(future, { at: new Date('2028-01-01T00:00:00Z') }));
  });

  test('NAME_CHAIN_MISMATCH', async () => {
    const leaf = await issueCertificate({
      subject: 'CN=Misnamed',
      key: await generateTestKey(),
      issuer: good.ca,
      issuerName: 'CN=Someone Else',
      keyUsage: ['digitalSignature'],
      eku: ['1.3.6.1.5.5.7.3.3'],
    });
    assertThrowsCode(() => verify(good, { chain: [leaf.der, good.ca.der] }), 'NAME_CHAIN_MISMATCH');
  });

  test('UNKNOWN_CRITICAL_EXTENSION', async () => {
    const c = await buildTestChain({
      leaf: {
        extraExtensions: [
          { oid: '1.3.6.1.4.1.99999.1', critical: true, value: Uint8Array.of(5, 0) },
        ],
      },
    });
    const err = assertThrowsCode(() => verify(c), 'UNKNOWN_CRITICAL_EXTENSION');
    assert.match(err.message, /1\.3\.6\.1\.4\.1\.99999\.1/);
  });

  test('NOT_A_CA: issuer without basicConstraints, or with cA=FALSE', async () => {
    const none = await buildTestChain({ ca: { basicConstraints: false } });
    assertThrowsCode(() => verify(none), 'NOT_A_CA');
    const notCa = await buildTestChain({ ca: { basicConstraints: { ca: false } } });
    assertThrowsCode(() => verify(notCa), 'NOT_A_CA');
  });

  test('KEY_USAGE_MISSING: issuer without keyCertSign, leaf without digitalSignature', async () => {
    const ca = await buildTestChain({ ca: { keyUsage: ['cRLSign'] } });
    assert.match(assertThrowsCode(() => verify(ca), 'KEY_USAGE_MISSING').message, /keyCertSign/);
    const caNoKu = await buildTestChain({ ca: { keyUsage: false } });
    assertThrowsCode(() => verify(caNoKu), 'KEY_USAGE_MISSING');
    const leaf = await buildTestChain({ leaf: { keyUsage: ['keyEncipherment'] } });
    assert.match(
      assertThrowsCode(() => verify(leaf), 'KEY_USAGE_MISSING').message,
      /digitalSignature/,
    );
  });

  test('PATH_LENGTH_EXCEEDED', async () => {
    const c = await buildTestChain({ root: { basicConstraints: { ca: true, pathLen: 0 } } });
    assertThrowsCode(() => verify(c, { chain: [...c.chain, c.root.der] }), 'PATH_LENGTH_EXCEEDED');
  });

  test('an anchor provisioned as a certificate keeps its constraints outside the chain', async () => {
    const c = await buildTestChain({ root: { basicConstraints: { ca: true, pathLen: 0 } } });
    assertThrowsCode(
      () => verify(c, { anchors: [anchorFromPem(c.root.pem)] }),
      'PATH_LENGTH_EXCEEDED',
    );
    // The bare key of the same root carries no constraints.
    assert.equal(verify(c).anchoredAt, 2);
    const old = await buildTestChain({ root: { notAfter: new Date('2025-06-01T00:00:00Z') } });
    const err = assertThrowsCode(
      () => verify(old, { anchors: [anchorFromCertificate(old.root.der)] }),
      'CERT_EXPIRED',
    );
    assert.match(err.message, /trust anchor certificate/);
  });

  test('EKU_CODE_SIGNING_MISSING: wrong EKU and no EKU', async () => {
    const tls = await buildTestChain({ leaf: { eku: [EKU_SERVER_AUTH] } });
    assertThrowsCode(() => verify(tls), 'EKU_CODE_SIGNING_MISSING');
    const none = await buildTestChain({ leaf: { eku: false } });
    assertThrowsCode(() => verify(none), 'EKU_CODE_SIGNING_MISSING');
  });

  test('bad options are a ValidationError naming every field', () => {
    const err = assertThrowsCode(
      () => verify(good, { at: new Date(NaN), maxChainLength: 0 }),
      'INVALID_INPUT',
    );
    assert.match(err.message, /at must be a valid Date/);
    assert.match(err.message, /maxChainLength/);
  });
});
