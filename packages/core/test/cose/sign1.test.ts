// COSE_Sign1 (RFC 9052 §4): sign → verify for every algorithm, detached and attached,
// header buckets and crit, structure checks, tampering, algorithm policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  CborMap,
  CborTag,
  CoseError,
  coseHeaders,
  decodeCbor,
  decodeCoseSign1,
  ecdsaRawToDer,
  encodeCbor,
  encodeCoseSign1,
  sigStructure,
  signCoseSign1,
  softwareSigner,
  verifyCoseSign1,
  type Signer,
} from '@cairn/core';
import { assertRejectsCode, assertThrowsCode } from '@cairn/testkit';
import { buildSigned } from './build.js';
import { ALL_ALGORITHMS, KEY_FOR, flipBit, testKeys } from './keys.js';

const payload = new TextEncoder().encode('SUIT digest bytes stand-in');
const ES256 = -7;
/** A second P-256 key, distinct from testKeys().p256. */
const otherP256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

test('sign → verify round-trips for every algorithm, detached and attached', async () => {
  for (const alg of ALL_ALGORITHMS) {
    const { privateKey, publicKey } = testKeys()[KEY_FOR[alg]];
    const signer = softwareSigner(privateKey, alg);
    const detached = await signCoseSign1({ payload, signer });
    const msg = decodeCoseSign1(detached);
    assert.equal(msg.payload, null, `${alg}: detached by default`);
    assert.deepEqual(
      verifyCoseSign1({ cose: detached, detachedPayload: payload, key: publicKey }),
      {
        alg,
      },
    );
    const attached = await signCoseSign1({ payload, signer, detached: false });
    assert.deepEqual(decodeCoseSign1(attached).payload, payload);
    assert.equal(verifyCoseSign1({ cose: attached, key: publicKey }).alg, alg);
    // the decoded form verifies too, and the wrong payload does not
    assert.equal(verifyCoseSign1({ cose: msg, detachedPayload: payload, key: publicKey }).alg, alg);
    assertThrowsCode(
      () =>
        verifyCoseSign1({ cose: detached, detachedPayload: flipBit(payload, 0), key: publicKey }),
      'SIGNATURE_INVALID',
      alg,
    );
  }
});

test('signCoseSign1 writes tag 18, alg protected, canonical protected bucket, nil payload', async () => {
  const signer = softwareSigner(testKeys().p256.privateKey);
  const bytes = await signCoseSign1({ payload, signer });
  const top = decodeCbor(bytes);
  assert.ok(top instanceof CborTag && top.tag === 18);
  assert.ok(Array.isArray(top.value) && top.value.length === 4);
  // { 1: -7 } as a bstr: 43 a1 01 26
  assert.deepEqual([...bytes.subarray(1, 6)], [0x84, 0x43, 0xa1, 0x01, 0x26]);
  assert.equal(top.value[2], null);
});

test('kid and x5chain round-trip (one certificate as bstr, several as an array)', async () => {
  const { privateKey, publicKey } = testKeys().ed25519;
  const signer = softwareSigner(privateKey);
  const kid = Uint8Array.of(1, 2, 3, 4);
  const certs = [Uint8Array.of(0x30, 1, 2), Uint8Array.of(0x30, 3, 4), Uint8Array.of(0x30, 5)];
  for (const x5chain of [certs.slice(0, 1), certs]) {
    const bytes = await signCoseSign1({ payload, signer, kid, x5chain });
    const msg = decodeCoseSign1(bytes);
    const x5 = msg.protectedHeaders.get(33);
    if (x5chain.length === 1) assert.ok(x5 instanceof Uint8Array, 'single cert is a bstr');
    else assert.ok(Array.isArray(x5), 'several certs are an array');
    assert.deepEqual(msg.unprotectedHeaders.get(4), kid);
    assert.deepEqual(coseHeaders(msg), { alg: 'EdDSA', kid, x5chain });
    assert.deepEqual(verifyCoseSign1({ cose: bytes, detachedPayload: payload, key: publicKey }), {
      alg: 'EdDSA',
      kid,
      x5chain,
    });
  }
  await assertRejectsCode(() => signCoseSign1({ payload, signer, x5chain: [] }), 'HEADER_INVALID');
});

test('external AAD is bound into the signature', async () => {
  const { privateKey, publicKey } = testKeys().p384;
  const externalAad = Uint8Array.of(9, 9, 9);
  const bytes = await signCoseSign1({ payload, signer: softwareSigner(privateKey), externalAad });
  assert.equal(
    verifyCoseSign1({ cose: bytes, detachedPayload: payload, key: publicKey, externalAad }).alg,
    'ES384',
  );
  for (const aad of [undefined, Uint8Array.of(9, 9), Uint8Array.of(9, 9, 8)]) {
    assertThrowsCode(
      () =>
        verifyCoseSign1({
          cose: bytes,
          detachedPayload: payload,
          key: publicKey,
          ...(aad ? { externalAad: aad } : {}),
        }),
      'SIGNATURE_INVALID',
    );
  }
});

test('Sig_structure is ["Signature1", protected, external_aad, payload]', () => {
  const s = sigStructure(Uint8Array.of(0xa1, 0x01, 0x26), Uint8Array.of(0xaa));
  assert.equal(Buffer.from(s).toString('hex'), '846a5369676e61747572653143a101264041aa');
  assert.deepEqual(
    decodeCbor(sigStructure(new Uint8Array(0), Uint8Array.of(1), Uint8Array.of(2))),
    ['Signature1', new Uint8Array(0), Uint8Array.of(2), Uint8Array.of(1)],
  );
});

test('flipping any bit of a signed message never verifies', async () => {
  for (const alg of ['ES256', 'EdDSA', 'PS256'] as const) {
    const { privateKey, publicKey } = testKeys()[KEY_FOR[alg]];
    const signer = softwareSigner(privateKey);
    for (const detached of [true, false]) {
      const bytes = await signCoseSign1({
        payload,
        signer,
        detached,
        x5chain: [Uint8Array.of(0x30, 0)],
      });
      const codes = new Set<string>();
      for (let i = 0; i < bytes.length; i++) {
        for (const bit of alg === 'PS256' ? [0] : [0, 7]) {
          const bad = flipBit(bytes, i, bit);
          const err = assertThrowsVerify(() =>
            verifyCoseSign1({
              cose: bad,
              key: publicKey,
              ...(detached ? { detachedPayload: payload } : {}),
            }),
          );
          codes.add(err);
        }
      }
      assert.ok(codes.has('SIGNATURE_INVALID'), `${alg}: most flips are bad signatures`);
      assert.ok(codes.has('COSE_MALFORMED'), `${alg}: structural flips are malformed`);
    }
  }
});

/** Run `fn`, require that it throws a CoseError with a refusal code, return the code. */
function assertThrowsVerify(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof CoseError, `expected a CoseError, got ${String(err)}`);
    assert.ok(
      [
        'SIGNATURE_INVALID',
        'COSE_MALFORMED',
        'HEADER_INVALID',
        'ALG_UNSUPPORTED',
        'ALG_KEY_MISMATCH',
        'PAYLOAD_MISSING',
      ].includes(err.code),
      err.code,
    );
    return err.code;
  }
  return assert.fail('a tampered message verified');
}

test('algorithm policy: ALG_NOT_ALLOWED before any key use; mismatched key is ALG_KEY_MISMATCH', async () => {
  const k = testKeys();
  const es256 = await signCoseSign1({ payload, signer: softwareSigner(k.p256.privateKey) });
  assertThrowsCode(
    () =>
      verifyCoseSign1({
        cose: es256,
        detachedPayload: payload,
        key: k.p256.publicKey,
        allowedAlgorithms: ['EdDSA', 'ESP256'],
      }),
    'ALG_NOT_ALLOWED',
  );
  assertThrowsCode(
    () =>
      verifyCoseSign1({
        cose: es256,
        detachedPayload: payload,
        key: k.p256.publicKey,
        allowedAlgorithms: [],
      }),
    'ALG_NOT_ALLOWED',
  );
  // ES256 header with a P-384 key, ES384 header with a P-256 key, EdDSA header with RSA
  assertThrowsCode(
    () => verifyCoseSign1({ cose: es256, detachedPayload: payload, key: k.p384.publicKey }),
    'ALG_KEY_MISMATCH',
  );
  const es384 = await signCoseSign1({ payload, signer: softwareSigner(k.p384.privateKey) });
  assertThrowsCode(
    () => verifyCoseSign1({ cose: es384, detachedPayload: payload, key: k.p256.publicKey }),
    'ALG_KEY_MISMATCH',
  );
  const ed = await signCoseSign1({ payload, signer: softwareSigner(k.ed25519.privateKey) });
  assertThrowsCode(
    () => verifyCoseSign1({ cose: ed, detachedPayload: payload, key: k.rsa.publicKey }),
    'ALG_KEY_MISMATCH',
  );
  // the right algorithm but another key of the same type
  const other = softwareSigner(otherP256);
  const es256b = await signCoseSign1({ payload, signer: other });
  assertThrowsCode(
    () => verifyCoseSign1({ cose: es256b, detachedPayload: payload, key: k.p256.publicKey }),
    'SIGNATURE_INVALID',
  );
});

test('the key may be given as a KeyObject, DER SPKI or PEM', async () => {
  const { privateKey, publicKey } = testKeys().p256;
  const bytes = await signCoseSign1({ payload, signer: softwareSigner(privateKey) });
  const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
  const pem = publicKey.export({ format: 'pem', type: 'spki' });
  for (const key of [publicKey, spki, pem]) {
    assert.equal(verifyCoseSign1({ cose: bytes, detachedPayload: payload, key }).alg, 'ES256');
  }
  assertThrowsCode(
    () => verifyCoseSign1({ cose: bytes, detachedPayload: payload, key: Uint8Array.of(1, 2) }),
    'KEY_INVALID',
  );
});

test('detached payload: missing, or given for an attached message, is PAYLOAD_MISSING', async () => {
  const { privateKey, publicKey } = testKeys().ed25519;
  const signer = softwareSigner(privateKey);
  const detached = await signCoseSign1({ payload, signer });
  assertThrowsCode(() => verifyCoseSign1({ cose: detached, key: publicKey }), 'PAYLOAD_MISSING');
  const attached = await signCoseSign1({ payload, signer, detached: false });
  assertThrowsCode(
    () => verifyCoseSign1({ cose: attached, detachedPayload: payload, key: publicKey }),
    'PAYLOAD_MISSING',
  );
  // an empty payload is a payload, and signs/verifies
  const empty = await signCoseSign1({ payload: new Uint8Array(0), signer });
  assert.equal(
    verifyCoseSign1({ cose: empty, detachedPayload: new Uint8Array(0), key: publicKey }).alg,
    'EdDSA',
  );
});

test('untagged COSE_Sign1 decodes and verifies; other tags are COSE_MALFORMED', () => {
  const { privateKey, publicKey } = testKeys().p256;
  const untagged = buildSigned(
    { protectedEntries: [[1, ES256]], payload, tagged: false },
    'ES256',
    privateKey,
  );
  assert.equal(untagged[0], 0x84);
  assert.equal(
    verifyCoseSign1({ cose: untagged, detachedPayload: payload, key: publicKey }).alg,
    'ES256',
  );
  const msg = decodeCoseSign1(untagged);
  assert.deepEqual(encodeCoseSign1(msg, { tagged: false }), untagged);
  assert.deepEqual(encodeCoseSign1(msg).subarray(1), untagged);
  const tag98 = encodeCbor(new CborTag(98, decodeCbor(untagged)));
  assertThrowsCode(() => decodeCoseSign1(tag98), 'COSE_MALFORMED');
});

test('structure checks: every wrong shape is COSE_MALFORMED', () => {
  const m = (v: unknown) => encodeCbor(new CborTag(18, v as never));
  const sig = new Uint8Array(64);
  const prot = Uint8Array.of(0xa1, 0x01, 0x26);
  const cases: [string, Uint8Array][] = [
    ['not CBOR', Uint8Array.of(0xff)],
    ['truncated', Uint8Array.of(0xd2, 0x84, 0x43)],
    ['trailing bytes', Uint8Array.of(...m([prot, new CborMap(), null, sig]), 0)],
    ['map, not array', m(new CborMap([[1, 2]]))],
    ['3 elements', m([prot, new CborMap(), null])],
    ['5 elements', m([prot, new CborMap(), null, sig, sig])],
    ['protected is a map', m([new CborMap([[1, ES256]]), new CborMap(), null, sig])],
    ['unprotected is a bstr', m([prot, new Uint8Array(0), null, sig])],
    ['payload is text', m([prot, new CborMap(), 'payload', sig])],
    ['payload is undefined', m([prot, new CborMap(), undefined, sig])],
    ['signature is nil', m([prot, new CborMap(), null, null])],
    ['protected bstr holds an array', m([Uint8Array.of(0x81, 0x01), new CborMap(), null, sig])],
    [
      'protected bstr holds trailing bytes',
      m([Uint8Array.of(0xa0, 0x00), new CborMap(), null, sig]),
    ],
    ['protected bstr is not CBOR', m([Uint8Array.of(0xa1, 0x01), new CborMap(), null, sig])],
    ['indefinite-length array', Uint8Array.of(0xd2, 0x9f, 0x40, 0xa0, 0xf6, 0x40, 0xff)],
  ];
  for (const [what, bytes] of cases) {
    assertThrowsCode(() => decodeCoseSign1(bytes), 'COSE_MALFORMED', what);
  }
  assertThrowsCode(
    () => decodeCoseSign1(m([prot, new CborMap(), new Uint8Array(100), sig]), { maxBytes: 100 }),
    'COSE_MALFORMED',
    'over the size cap',
  );
});

test("protected bucket: h'' is an empty map, and an encoded empty map (a0) is accepted too", () => {
  for (const prot of [new Uint8Array(0), Uint8Array.of(0xa0)]) {
    const bytes = encodeCbor(
      new CborTag(18, [prot, new CborMap([[1, ES256]]), null, new Uint8Array(64)]),
    );
    const msg = decodeCoseSign1(bytes);
    assert.equal(msg.protectedHeaders.size, 0);
    assert.deepEqual(msg.protectedBytes, prot, 'protected bytes kept exactly as signed');
    // alg only in the unprotected bucket is refused
    assertThrowsCode(() => coseHeaders(msg), 'HEADER_INVALID');
  }
});

test('header rules: alg protected and an integer, labels unique across buckets, typed values', () => {
  const { privateKey, publicKey } = testKeys().p256;
  const verify = (
    protectedEntries: [never, never][] | [unknown, unknown][],
    unprotectedEntries: [unknown, unknown][] = [],
  ) =>
    verifyCoseSign1({
      cose: buildSigned(
        {
          protectedEntries: protectedEntries as never,
          unprotectedEntries: unprotectedEntries as never,
          payload,
        },
        'ES256',
        privateKey,
      ),
      detachedPayload: payload,
      key: publicKey,
    });
  assert.equal(verify([[1, ES256]]).alg, 'ES256', 'the builder makes valid messages');
  assertThrowsCode(() => verify([]), 'HEADER_INVALID', 'no alg');
  assertThrowsCode(() => verify([], [[1, ES256]]), 'HEADER_INVALID', 'alg unprotected');
  assertThrowsCode(() => verify([[1, ES256]], [[1, ES256]]), 'HEADER_INVALID', 'alg in both');
  assertThrowsCode(
    () =>
      verify(
        [
          [1, ES256],
          [4, Uint8Array.of(1)],
        ],
        [[4, Uint8Array.of(1)]],
      ),
    'HEADER_INVALID',
    'kid in both',
  );
  assertThrowsCode(() => verify([[1, 'ES256']]), 'ALG_UNSUPPORTED', 'alg as text');
  assertThrowsCode(() => verify([[1, -999]]), 'ALG_UNSUPPORTED', 'unknown alg');
  assertThrowsCode(() => verify([[1, -257]]), 'ALG_UNSUPPORTED', 'RS256 is not supported');
  assertThrowsCode(() => verify([[1, ES256]], [[4, 'kid-as-text']]), 'HEADER_INVALID', 'kid text');
  assertThrowsCode(
    () =>
      verify([
        [1, ES256],
        [33, 'cert'],
      ]),
    'HEADER_INVALID',
    'x5chain text',
  );
  assertThrowsCode(
    () =>
      verify([
        [1, ES256],
        [33, []],
      ]),
    'HEADER_INVALID',
    'x5chain empty',
  );
  assertThrowsCode(
    () =>
      verify([
        [1, ES256],
        [33, [Uint8Array.of(1), 2]],
      ]),
    'HEADER_INVALID',
    'x5chain mixed',
  );
  assertThrowsCode(
    () =>
      verify([
        [1, ES256],
        [33, Array.from({ length: 9 }, () => Uint8Array.of(0x30))],
      ]),
    'HEADER_INVALID',
    'x5chain too long',
  );
  assertThrowsCode(
    () =>
      verify([
        [1, ES256],
        [3, Uint8Array.of(1)],
      ]),
    'HEADER_INVALID',
    'content type bstr',
  );
  assertThrowsCode(
    () =>
      verify([
        [1, ES256],
        [Uint8Array.of(1), 1],
      ]),
    'HEADER_INVALID',
    'bstr label',
  );
  // x5chain may sit in the unprotected bucket (RFC 9360); unknown non-critical labels are ignored
  const x5 = Uint8Array.of(0x30, 0);
  assert.deepEqual(verify([[1, ES256]], [[33, x5]]), { alg: 'ES256', x5chain: [x5] });
  assert.equal(
    verify(
      [
        [1, ES256],
        [-70000, 'private use'],
        ['text-label', 1],
      ],
      [[3, 'application/x']],
    ).alg,
    'ES256',
  );
});

test('crit: understood labels pass; unknown, unprotected, empty or absent labels are refused', () => {
  const { privateKey, publicKey } = testKeys().p256;
  const verify = (p: [unknown, unknown][], u: [unknown, unknown][] = []) =>
    verifyCoseSign1({
      cose: buildSigned(
        { protectedEntries: p as never, unprotectedEntries: u as never, payload },
        'ES256',
        privateKey,
      ),
      detachedPayload: payload,
      key: publicKey,
    });
  const x5 = Uint8Array.of(0x30, 0);
  assert.equal(
    verify([
      [1, ES256],
      [2, [33]],
      [33, x5],
    ]).alg,
    'ES256',
    'crit naming x5chain',
  );
  assertThrowsCode(
    () =>
      verify([
        [1, ES256],
        [2, [-70000]],
        [-70000, 1],
      ]),
    'HEADER_INVALID',
    'unknown int label',
  );
  assertThrowsCode(
    () =>
      verify([
        [1, ES256],
        [2, ['x-ext']],
        ['x-ext', 1],
      ]),
    'HEADER_INVALID',
    'unknown text label',
  );
  assertThrowsCode(
    () =>
      verify([
        [1, ES256],
        [2, []],
      ]),
    'HEADER_INVALID',
    'empty crit',
  );
  assertThrowsCode(
    () =>
      verify([
        [1, ES256],
        [2, 33],
      ]),
    'HEADER_INVALID',
    'crit not an array',
  );
  assertThrowsCode(
    () =>
      verify([
        [1, ES256],
        [2, [33]],
      ]),
    'HEADER_INVALID',
    'crit label absent',
  );
  assertThrowsCode(() => verify([[1, ES256]], [[2, [1]]]), 'HEADER_INVALID', 'crit unprotected');
  assertThrowsCode(
    () =>
      verify(
        [
          [1, ES256],
          [2, [33]],
        ],
        [[33, x5]],
      ),
    'HEADER_INVALID',
    'critical label unprotected',
  );
});

test('a signer whose signature does not verify is refused at signing time', async () => {
  const good = softwareSigner(testKeys().p256.privateKey);
  const liar: Signer = {
    algorithm: 'ES256',
    publicKey: softwareSigner(otherP256).publicKey,
    sign: (d) => good.sign(d),
  };
  await assertRejectsCode(() => signCoseSign1({ payload, signer: liar }), 'SIGNATURE_INVALID');
  const derSigner: Signer = {
    algorithm: 'ES256',
    publicKey: good.publicKey,
    sign: async (d) => ecdsaRawToDer(await good.sign(d)),
  };
  await assertRejectsCode(() => signCoseSign1({ payload, signer: derSigner }), 'SIGNATURE_INVALID');
  const wrongAlg: Signer = { ...good, algorithm: 'ES384', sign: (d) => good.sign(d) };
  await assertRejectsCode(() => signCoseSign1({ payload, signer: wrongAlg }), 'ALG_KEY_MISMATCH');
});
