// Signature algorithms over node:crypto: COSE ids, key/algorithm binding, sign→verify for
// every algorithm, wrong lengths, ECDSA raw↔DER conversion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, createSecretKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import {
  COSE_ALGORITHMS,
  SIGNATURE_ALGORITHMS,
  algorithmFromCoseId,
  coseAlgorithmId,
  defaultAlgorithmForKey,
  ecdsaDerToRaw,
  ecdsaRawToDer,
  signWithKey,
  softwareSigner,
  toPublicKey,
  verifySignature,
  verifySignatureAsync,
  type SignatureAlgorithm,
} from '@cairn/core';
import { assertThrowsCode } from '@cairn/testkit';
import { ALL_ALGORITHMS, KEY_FOR, flipBit, testKeys } from '../cose/keys.js';

const data = new TextEncoder().encode('firmware digest to sign');

test('COSE algorithm ids match the IANA registry and map both ways', () => {
  const expected: Record<SignatureAlgorithm, number> = {
    ES256: -7,
    ESP256: -9,
    ES384: -35,
    ESP384: -51,
    EdDSA: -8,
    Ed25519: -19,
    PS256: -37,
  };
  assert.deepEqual({ ...COSE_ALGORITHMS }, expected);
  assert.deepEqual([...SIGNATURE_ALGORITHMS].sort(), Object.keys(expected).sort());
  for (const [alg, id] of Object.entries(expected) as [SignatureAlgorithm, number][]) {
    assert.equal(coseAlgorithmId(alg), id);
    assert.equal(algorithmFromCoseId(id), alg);
  }
});

test('unknown COSE ids and names are ALG_UNSUPPORTED', () => {
  for (const id of [0, 1, -6, -36, -38, -257, -47, 7]) {
    assertThrowsCode(() => algorithmFromCoseId(id), 'ALG_UNSUPPORTED', `alg ${id}`);
  }
  assertThrowsCode(() => coseAlgorithmId('RS256' as SignatureAlgorithm), 'ALG_UNSUPPORTED');
  assertThrowsCode(
    () => verifySignature('HS256' as SignatureAlgorithm, testKeys().p256.publicKey, data, data),
    'ALG_UNSUPPORTED',
  );
});

test('sign → verify round-trips for every algorithm; a flipped bit fails', () => {
  for (const alg of ALL_ALGORITHMS) {
    const { privateKey, publicKey } = testKeys()[KEY_FOR[alg]];
    const sig = signWithKey(alg, privateKey, data);
    assert.equal(verifySignature(alg, publicKey, data, sig), true, alg);
    assert.equal(verifySignature(alg, publicKey, flipBit(data, 3), sig), false, `${alg} data`);
    assert.equal(verifySignature(alg, publicKey, data, flipBit(sig, 10)), false, `${alg} sig`);
  }
});

test('verifySignatureAsync (thread pool) gives the same verdict as verifySignature', async () => {
  for (const alg of ALL_ALGORITHMS) {
    const { privateKey, publicKey } = testKeys()[KEY_FOR[alg]];
    const sig = signWithKey(alg, privateKey, data);
    const cases: [Uint8Array, Uint8Array, string][] = [
      [data, sig, 'good'],
      [flipBit(data, 3), sig, 'data'],
      [data, flipBit(sig, 10), 'sig'],
      [data, sig.subarray(1), 'short'],
      [data, new Uint8Array(0), 'empty'],
    ];
    for (const [d, s, what] of cases) {
      const want = verifySignature(alg, publicKey, d, s);
      assert.equal(await verifySignatureAsync(alg, publicKey, d, s), want, `${alg} ${what}`);
    }
    assert.equal(await verifySignatureAsync(alg, publicKey, data, sig), true, `${alg} accepts`);
  }
  await assert.rejects(
    verifySignatureAsync('HS256' as SignatureAlgorithm, testKeys().p256.publicKey, data, data),
    (e: Error & { code?: string }) => e.code === 'ALG_UNSUPPORTED',
  );
  await assert.rejects(
    verifySignatureAsync('EdDSA', testKeys().p256.publicKey, data, new Uint8Array(64)),
    (e: Error & { code?: string }) => e.code === 'ALG_KEY_MISMATCH',
  );
});

test('signature lengths are fixed: raw r‖s for ECDSA, 64 for Ed25519, modulus for PS256', () => {
  const want: Record<SignatureAlgorithm, number> = {
    ES256: 64,
    ESP256: 64,
    ES384: 96,
    ESP384: 96,
    EdDSA: 64,
    Ed25519: 64,
    PS256: 256,
  };
  for (const alg of ALL_ALGORITHMS) {
    const { privateKey, publicKey } = testKeys()[KEY_FOR[alg]];
    const sig = signWithKey(alg, privateKey, data);
    assert.equal(sig.length, want[alg], alg);
    // one byte short or long, or the DER form of an ECDSA signature: never valid
    assert.equal(verifySignature(alg, publicKey, data, sig.subarray(1)), false, `${alg} short`);
    const long = new Uint8Array(sig.length + 1);
    long.set(sig);
    assert.equal(verifySignature(alg, publicKey, data, long), false, `${alg} long`);
    assert.equal(verifySignature(alg, publicKey, data, new Uint8Array(0)), false, `${alg} empty`);
  }
  const { privateKey, publicKey } = testKeys().p256;
  const der = ecdsaRawToDer(signWithKey('ES256', privateKey, data));
  assert.equal(verifySignature('ES256', publicKey, data, der), false, 'DER is not raw');
});

test('PS256 signatures are RSASSA-PSS SHA-256 with a 32-byte salt (checked by node:crypto)', () => {
  const { privateKey, publicKey } = testKeys().rsa;
  const sig = signWithKey('PS256', privateKey, data);
  const pss = (saltLength: number): boolean =>
    verify(
      'sha256',
      data,
      { key: publicKey, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength },
      sig,
    );
  assert.equal(pss(32), true);
  assert.equal(pss(20), false);
  // a PKCS#1 v1.5 signature is not a PS256 signature
  assert.equal(verifySignature('PS256', publicKey, data, sign('sha256', data, privateKey)), false);
});

test('every algorithm/key mismatch is ALG_KEY_MISMATCH, in both directions', () => {
  const keys = testKeys();
  for (const alg of ALL_ALGORITHMS) {
    for (const [type, pair] of Object.entries(keys)) {
      if (type === KEY_FOR[alg]) continue;
      const sig = new Uint8Array(64);
      assertThrowsCode(
        () => verifySignature(alg, pair.publicKey, data, sig),
        'ALG_KEY_MISMATCH',
        `${alg} with ${type}`,
      );
      assertThrowsCode(
        () => signWithKey(alg, pair.privateKey, data),
        'ALG_KEY_MISMATCH',
        `sign ${alg} with ${type}`,
      );
    }
  }
});

test('keys Cairn does not sign with are refused: P-521, Ed448, RSA below 2048 bits', () => {
  const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  const ed448 = generateKeyPairSync('ed448');
  const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
  for (const k of [p521, ed448]) {
    assertThrowsCode(() => defaultAlgorithmForKey(k.publicKey), 'ALG_UNSUPPORTED');
    assertThrowsCode(() => softwareSigner(k.privateKey), 'ALG_UNSUPPORTED');
  }
  assertThrowsCode(() => verifySignature('EdDSA', ed448.publicKey, data, data), 'ALG_KEY_MISMATCH');
  assertThrowsCode(() => verifySignature('ES256', p521.publicKey, data, data), 'ALG_KEY_MISMATCH');
  assertThrowsCode(
    () => verifySignature('PS256', rsa1024.publicKey, data, new Uint8Array(128)),
    'ALG_KEY_MISMATCH',
  );
  assertThrowsCode(() => defaultAlgorithmForKey(rsa1024.publicKey), 'ALG_KEY_MISMATCH');
});

test('defaultAlgorithmForKey: P-256→ES256, P-384→ES384, Ed25519→EdDSA, RSA→PS256', () => {
  const k = testKeys();
  assert.equal(defaultAlgorithmForKey(k.p256.publicKey), 'ES256');
  assert.equal(defaultAlgorithmForKey(k.p384.privateKey), 'ES384');
  assert.equal(defaultAlgorithmForKey(k.ed25519.publicKey), 'EdDSA');
  assert.equal(defaultAlgorithmForKey(k.rsa.publicKey), 'PS256');
  const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
  assert.equal(defaultAlgorithmForKey(pss.publicKey), 'PS256');
  const sig = signWithKey('PS256', pss.privateKey, data);
  assert.equal(verifySignature('PS256', pss.publicKey, data, sig), true);
});

test('toPublicKey accepts KeyObjects (public or private), DER SPKI and PEM', () => {
  const { privateKey, publicKey } = testKeys().p256;
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const pem = publicKey.export({ format: 'pem', type: 'spki' });
  for (const input of [publicKey, privateKey, new Uint8Array(spki), pem]) {
    const k = toPublicKey(input);
    assert.equal(k.type, 'public');
    assert.deepEqual(k.export({ format: 'der', type: 'spki' }), spki);
  }
  assertThrowsCode(
    () => toPublicKey(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])),
    'KEY_INVALID',
  );
  assertThrowsCode(
    () => toPublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'),
    'KEY_INVALID',
  );
  assertThrowsCode(() => toPublicKey(createSecretKey(new Uint8Array(32))), 'KEY_INVALID');
});

test('softwareSigner signs what verifySignature accepts and reports its public key', async () => {
  for (const alg of ALL_ALGORITHMS) {
    const { privateKey, publicKey } = testKeys()[KEY_FOR[alg]];
    const kid = new TextEncoder().encode(`kid-${alg}`);
    const signer = softwareSigner(privateKey, alg, kid);
    assert.equal(signer.algorithm, alg);
    assert.deepEqual(signer.keyId, kid);
    assert.deepEqual(
      createPublicKey({ key: Buffer.from(signer.publicKey), format: 'der', type: 'spki' }).export({
        format: 'der',
        type: 'spki',
      }),
      publicKey.export({ format: 'der', type: 'spki' }),
    );
    const sig = await signer.sign(data);
    assert.equal(verifySignature(alg, publicKey, data, sig), true, alg);
  }
  assert.equal(softwareSigner(testKeys().ed25519.privateKey).algorithm, 'EdDSA');
  assert.equal(softwareSigner(testKeys().p256.privateKey).keyId, undefined);
  assertThrowsCode(() => softwareSigner(testKeys().p256.publicKey), 'KEY_INVALID');
  assertThrowsCode(() => softwareSigner(testKeys().p256.privateKey, 'ES384'), 'ALG_KEY_MISMATCH');
});

test('ECDSA raw ↔ DER: node DER signatures convert to raw that verifies, and back', () => {
  for (const [alg, size] of [
    ['ES256', 32],
    ['ES384', 48],
  ] as const) {
    const { privateKey, publicKey } = testKeys()[KEY_FOR[alg]];
    const hash = size === 32 ? 'sha256' : 'sha384';
    for (let i = 0; i < 30; i++) {
      const msg = new TextEncoder().encode(`message ${i}`);
      const der = new Uint8Array(sign(hash, msg, privateKey));
      const raw = ecdsaDerToRaw(der, size);
      assert.equal(raw.length, 2 * size);
      assert.equal(verifySignature(alg, publicKey, msg, raw), true);
      assert.deepEqual(ecdsaRawToDer(raw), der, 'raw → DER gives back the node DER');
    }
  }
  // P-521: 66-byte fields, long-form SEQUENCE length
  const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  const der = new Uint8Array(sign('sha512', data, p521.privateKey));
  const raw = ecdsaDerToRaw(der, 66);
  assert.equal(raw.length, 132);
  assert.deepEqual(ecdsaRawToDer(raw), der);
  assert.equal(
    verify('sha512', data, { key: p521.publicKey, dsaEncoding: 'ieee-p1363' }, raw),
    true,
  );
});

test('ECDSA DER conversion: leading-zero and high-bit integers are minimal', () => {
  const raw = new Uint8Array(64);
  raw[31] = 1; // r = 1
  raw[32] = 0x80; // s has the high bit set → needs a 0x00 pad
  const der = ecdsaRawToDer(raw);
  assert.deepEqual([...der.subarray(0, 5)], [0x30, 3 + 2 + 33, 0x02, 0x01, 0x01]);
  assert.deepEqual([...der.subarray(5, 8)], [0x02, 0x21, 0x00]);
  assert.deepEqual(ecdsaDerToRaw(der, 32), raw);
});

test('malformed DER ECDSA signatures are SIGNATURE_INVALID', () => {
  const good = ecdsaRawToDer(signWithKey('ES256', testKeys().p256.privateKey, data));
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['not a SEQUENCE', Uint8Array.of(0x31, ...good.subarray(1))],
    ['length mismatch', Uint8Array.of(0x30, good[1]! + 1, ...good.subarray(2))],
    ['trailing byte', Uint8Array.of(...good, 0)],
    ['truncated', good.subarray(0, good.length - 1)],
    ['negative r', Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x01)],
    ['non-minimal r', Uint8Array.of(0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01)],
    [
      'r too long',
      Uint8Array.of(0x30, 0x26, 0x02, 0x21, ...new Uint8Array(33).fill(0x7f), 0x02, 0x01, 0x01),
    ],
    ['zero-length r', Uint8Array.of(0x30, 0x05, 0x02, 0x00, 0x02, 0x01, 0x01)],
  ];
  for (const [what, bytes] of cases) {
    assertThrowsCode(() => ecdsaDerToRaw(bytes, 32), 'SIGNATURE_INVALID', what);
  }
  assertThrowsCode(() => ecdsaRawToDer(new Uint8Array(63)), 'SIGNATURE_INVALID');
});
