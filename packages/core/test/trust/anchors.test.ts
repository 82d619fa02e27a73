import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import {
  anchorFromJwk,
  anchorFromKey,
  anchorFromPem,
  anchorFromPin,
  isAnchored,
  parsePin,
  spkiSha256,
  TrustStore,
} from '@cairn/core';
import { assertThrowsCode, buildTestChain, generateTestKey } from '@cairn/testkit';

test('spkiSha256 equals SHA-256 over the SPKI node:crypto exports from the certificate', async () => {
  const c = await buildTestChain();
  const spki = new X509Certificate(c.leaf.der).publicKey.export({ format: 'der', type: 'spki' });
  assert.deepEqual(
    spkiSha256(c.leaf.key.spki),
    new Uint8Array(createHash('sha256').update(spki).digest()),
  );
});

test('parsePin accepts hex (with colons), base64 and sha256/ forms of the same pin', async () => {
  const key = await generateTestKey();
  const pin = spkiSha256(key.spki);
  const hex = Buffer.from(pin).toString('hex');
  const b64 = Buffer.from(pin).toString('base64');
  for (const text of [hex, hex.toUpperCase(), hex.match(/../g)!.join(':'), b64, `sha256/${b64}`]) {
    assert.deepEqual(parsePin(text), pin, text);
  }
  for (const bad of ['', 'abc', hex.slice(2), `${b64}AA`, 'z'.repeat(64)]) {
    assertThrowsCode(() => parsePin(bad), 'ANCHOR_INVALID', bad);
  }
  assertThrowsCode(() => anchorFromPin(new Uint8Array(31)), 'ANCHOR_INVALID');
});

test('anchorFromPem reads PUBLIC KEY and CERTIFICATE PEM to the same anchor; refuses private keys', async () => {
  const c = await buildTestChain();
  const fromCert = anchorFromPem(c.leaf.pem, { label: 'signer' });
  const fromKey = anchorFromPem(
    c.leaf.key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  );
  assert.deepEqual(fromCert.spkiSha256, spkiSha256(c.leaf.key.spki));
  assert.deepEqual(fromKey.spkiSha256, fromCert.spkiSha256);
  assert.equal(fromCert.label, 'signer');
  assertThrowsCode(() => anchorFromPem(c.leaf.key.privatePem), 'ANCHOR_INVALID');
  assertThrowsCode(
    () => anchorFromPem('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'),
    'ANCHOR_INVALID',
  );
});

test('anchorFromJwk and anchorFromKey agree; private material is refused', async () => {
  for (const alg of ['P-256', 'Ed25519', 'RSA-2048'] as const) {
    const key = await generateTestKey(alg);
    const jwk = key.publicKey.export({ format: 'jwk' });
    assert.deepEqual(anchorFromJwk(jwk).spkiSha256, anchorFromKey(key.publicKey).spkiSha256, alg);
    assert.deepEqual(anchorFromKey(key.publicKey).spkiSha256, spkiSha256(key.spki), alg);
  }
  const key = await generateTestKey();
  assertThrowsCode(
    () => anchorFromJwk({ ...key.publicKey.export({ format: 'jwk' }), d: 'AAAA' }),
    'ANCHOR_INVALID',
  );
});

test('TrustStore finds anchors by SPKI, hash and kid', async () => {
  const a = await generateTestKey();
  const b = await generateTestKey('Ed25519');
  const stranger = await generateTestKey();
  const store = new TrustStore([anchorFromPin(spkiSha256(a.spki))]).add(
    anchorFromKey(b.publicKey, { kid: Uint8Array.of(7) }),
  );
  assert.equal(store.size, 2);
  assert.ok(store.isAnchored(a.spki));
  assert.ok(isAnchored(store.list(), b.spki));
  assert.ok(!store.isAnchored(stranger.spki));
  assert.equal(store.keyAnchors().length, 1);
  assert.equal(store.findByKid(Uint8Array.of(7))?.kind, 'key');
  assert.equal(store.findByKid(spkiSha256(a.spki)), undefined, 'a pin has no key to resolve');
  assert.deepEqual(
    store.pins(),
    [spkiSha256(a.spki), spkiSha256(b.spki)].map((p) => Buffer.from(p).toString('hex')),
  );
});
