// The six SUIT examples of draft-ietf-suit-manifest (vectors/suit, see its README): each
// COSE_Sign1 in the authentication wrapper verifies with public_key.pem over the detached
// SUIT_Digest; a flipped bit in the signature, the protected header or the digest fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CborMap,
  CborTag,
  CoseError,
  decodeCbor,
  decodeCoseSign1,
  encodeCoseSign1,
  verifyCoseSign1,
} from '@cairn/core';
import { assertThrowsCode, loadSuitExamples, suitPublicKeyPem } from '@cairn/testkit';
import { flipBit } from './keys.js';

interface AuthParts {
  name: string;
  digest: Uint8Array;
  signatures: Uint8Array[];
}

function authParts(): AuthParts[] {
  return loadSuitExamples().map(({ name, envelope }) => {
    const env = decodeCbor(envelope);
    assert.ok(env instanceof CborTag && env.tag === 107, `${name}: SUIT_Envelope tag 107`);
    assert.ok(env.value instanceof CborMap);
    const wrapper = env.value.get(2);
    assert.ok(wrapper instanceof Uint8Array, `${name}: authentication wrapper is a bstr`);
    const auth = decodeCbor(wrapper);
    assert.ok(Array.isArray(auth) && auth.length >= 2, `${name}: [digest, signature...]`);
    assert.ok(auth.every((a) => a instanceof Uint8Array));
    const [digest, ...signatures] = auth as Uint8Array[];
    return { name, digest: digest!, signatures };
  });
}

const key = suitPublicKeyPem();

test('all six SUIT examples are present', () => {
  assert.deepEqual(
    authParts().map((p) => p.name),
    ['example0', 'example1', 'example2', 'example3', 'example4', 'example5'],
  );
});

test('every SUIT example signature verifies (ES256, detached SUIT_Digest)', () => {
  for (const { name, digest, signatures } of authParts()) {
    for (const sig of signatures) {
      const msg = decodeCoseSign1(sig);
      assert.equal(msg.payload, null, `${name}: detached payload`);
      assert.deepEqual(encodeCoseSign1(msg), sig, `${name}: re-encodes byte-identically`);
      assert.deepEqual(
        verifyCoseSign1({ cose: sig, detachedPayload: digest, key, allowedAlgorithms: ['ES256'] }),
        { alg: 'ES256' },
        name,
      );
    }
  }
});

test('a flipped bit in the signature, protected header or detached digest fails', () => {
  for (const { name, digest, signatures } of authParts()) {
    const sig = signatures[0]!;
    const msg = decodeCoseSign1(sig);
    for (let i = 0; i < msg.signature.length; i++) {
      const bad = { ...msg, signature: flipBit(msg.signature, i, i % 8) };
      assertThrowsCode(
        () => verifyCoseSign1({ cose: bad, detachedPayload: digest, key }),
        'SIGNATURE_INVALID',
        `${name} signature byte ${i}`,
      );
    }
    for (let i = 0; i < digest.length; i++) {
      assertThrowsCode(
        () => verifyCoseSign1({ cose: sig, detachedPayload: flipBit(digest, i, i % 8), key }),
        'SIGNATURE_INVALID',
        `${name} digest byte ${i}`,
      );
    }
    // the protected bucket bytes sit at offset 2 (after d2 84) of the encoded message
    const protLen = msg.protectedBytes.length;
    const protStart = sig.indexOf(0xa1, 2);
    assert.deepEqual(sig.subarray(protStart, protStart + protLen), msg.protectedBytes);
    for (let i = protStart; i < protStart + protLen; i++) {
      for (let bit = 0; bit < 8; bit++) {
        try {
          verifyCoseSign1({ cose: flipBit(sig, i, bit), detachedPayload: digest, key });
          assert.fail(`${name}: protected byte ${i} bit ${bit} flipped still verified`);
        } catch (err) {
          assert.ok(err instanceof CoseError, `${name}: ${String(err)}`);
        }
      }
    }
  }
});

test('the SUIT example signature does not verify with another key', async () => {
  const { generateKeyPairSync } = await import('node:crypto');
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  const { digest, signatures } = authParts()[0]!;
  assertThrowsCode(
    () => verifyCoseSign1({ cose: signatures[0]!, detachedPayload: digest, key: other }),
    'SIGNATURE_INVALID',
  );
});
