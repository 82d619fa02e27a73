import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import type { KeyType, SignatureAlgorithm } from '@cairn/core';
import { isCairnError } from '@cairn/core';
import {
  algorithmFor,
  defaultAlgorithm,
  KEY_TYPES,
  keyTypeOfSpki,
  spkiSha256,
  type KeyInfo,
  type KeyStore,
} from '@cairn/keys';
import { assertRejectsCode } from '@cairn/testkit';
import { ALGORITHMS, verifyWithNode } from './verify.js';

/** How a backend under contract is set up: `open` may be called again after close. */
export interface ContractFixture {
  open(): Promise<KeyStore>;
  cleanup(): void;
}

const fits = (type: KeyType, alg: SignatureAlgorithm): boolean => {
  try {
    algorithmFor('x', type, alg);
    return true;
  } catch (err) {
    if (isCairnError(err, 'ALGORITHM_KEY_MISMATCH')) return false;
    throw err;
  }
};

const hashOf = (alg: SignatureAlgorithm): 'sha256' | 'sha384' =>
  alg === 'ES384' || alg === 'ESP384' ? 'sha384' : 'sha256';

/**
 * The behaviour every KeyStore backend must have, run unchanged against each one.
 * `setup` returns undefined when the backend cannot run here (it already skipped `t`).
 */
export function keyStoreContract(
  name: string,
  setup: (t: TestContext) => ContractFixture | undefined,
): void {
  void test(`KeyStore contract: ${name}`, async (t) => {
    const fx = setup(t);
    if (fx === undefined) return;
    let store = await fx.open();
    const keys = new Map<KeyType, KeyInfo>();
    try {
      await t.test('generates every key type with its DER SPKI', async () => {
        for (const type of KEY_TYPES) {
          const info = await store.generate(`c-${type}`, type);
          assert.equal(info.label, `c-${type}`);
          assert.equal(info.type, type);
          assert.equal(info.backend, store.backend);
          assert.match(info.id, /^[0-9a-f]{2,}$/);
          assert.equal(keyTypeOfSpki(info.publicKey), type);
          keys.set(type, info);
        }
      });

      await t.test('list and get return the generated keys', async () => {
        const listed = await store.list();
        for (const info of keys.values()) {
          const l = listed.find((k) => k.label === info.label);
          assert.ok(l, `${info.label} listed`);
          assert.deepEqual(Buffer.from(l.publicKey), Buffer.from(info.publicKey));
          const got = await store.get(info.label);
          assert.deepEqual(
            { ...got, publicKey: Buffer.from(got.publicKey) },
            { ...info, publicKey: Buffer.from(info.publicKey) },
          );
        }
      });

      await t.test('sign() verifies with node:crypto for every algorithm', async () => {
        for (const alg of ALGORITHMS) {
          for (const info of keys.values()) {
            if (!fits(info.type, alg)) continue;
            for (const msg of [new Uint8Array(0), Buffer.from(`message for ${alg}`)]) {
              const sig = await store.sign(info.label, alg, msg);
              assert.ok(verifyWithNode(alg, info.publicKey, msg, sig), `${alg} with ${info.type}`);
              const other = Buffer.concat([Buffer.from(msg), Buffer.of(1)]);
              assert.equal(
                verifyWithNode(alg, info.publicKey, other, sig),
                false,
                `${alg} binds the message`,
              );
            }
          }
        }
      });

      await t.test('signDigest() verifies for ECDSA and RSA-PSS; EdDSA refuses', async () => {
        for (const alg of ALGORITHMS) {
          for (const info of keys.values()) {
            if (!fits(info.type, alg)) continue;
            const msg = Buffer.from(`digest signed with ${alg}`);
            const digest = createHash(hashOf(alg)).update(msg).digest();
            if (info.type === 'ed25519') {
              await assertRejectsCode(
                () => store.signDigest(info.label, alg, digest),
                'ALGORITHM_NOT_SUPPORTED',
              );
              continue;
            }
            const sig = await store.signDigest(info.label, alg, digest);
            assert.ok(
              verifyWithNode(alg, info.publicKey, msg, sig),
              `${alg} digest with ${info.type}`,
            );
            await assertRejectsCode(
              () => store.signDigest(info.label, alg, digest.subarray(1)),
              'DIGEST_INVALID',
            );
          }
        }
      });

      await t.test('an algorithm that does not fit the key is ALGORITHM_KEY_MISMATCH', async () => {
        let checked = 0;
        for (const alg of ALGORITHMS) {
          for (const info of keys.values()) {
            if (fits(info.type, alg)) continue;
            await assertRejectsCode(
              () => store.sign(info.label, alg, Buffer.from('x')),
              'ALGORITHM_KEY_MISMATCH',
            );
            checked++;
          }
        }
        assert.equal(checked, ALGORITHMS.length * KEY_TYPES.length - ALGORITHMS.length);
        await assertRejectsCode(() => store.signer('c-ed25519', 'ES256'), 'ALGORITHM_KEY_MISMATCH');
      });

      await t.test(
        'unknown label is KEY_NOT_FOUND, bad label LABEL_INVALID, taken label KEY_EXISTS',
        async () => {
          await assertRejectsCode(() => store.get('no-such-key'), 'KEY_NOT_FOUND');
          await assertRejectsCode(
            () => store.sign('no-such-key', 'ES256', Buffer.from('x')),
            'KEY_NOT_FOUND',
          );
          await assertRejectsCode(() => store.signer('no-such-key'), 'KEY_NOT_FOUND');
          await assertRejectsCode(() => store.generate('c-ecdsa-p256', 'ecdsa-p256'), 'KEY_EXISTS');
          await assertRejectsCode(() => store.generate('../escape', 'ecdsa-p256'), 'LABEL_INVALID');
          await assertRejectsCode(() => store.generate('', 'ecdsa-p256'), 'LABEL_INVALID');
          await assertRejectsCode(
            () => store.generate('ok', 'dsa-1024' as KeyType),
            'ALGORITHM_NOT_SUPPORTED',
          );
        },
      );

      await t.test('signer() is a core Signer bound to the key', async () => {
        for (const info of keys.values()) {
          const signer = await store.signer(info.label);
          assert.equal(signer.algorithm, defaultAlgorithm(info.type));
          assert.deepEqual(Buffer.from(signer.publicKey), Buffer.from(info.publicKey));
          assert.deepEqual(
            Buffer.from(signer.keyId ?? []),
            Buffer.from(spkiSha256(info.publicKey)),
          );
          const msg = Buffer.from('signed through Signer');
          assert.ok(verifyWithNode(signer.algorithm, info.publicKey, msg, await signer.sign(msg)));
        }
      });

      await t.test('100 concurrent signatures all verify', async () => {
        const all = [...keys.values()].filter((k) => k.type !== 'rsa-pss-3072');
        const jobs = Array.from({ length: 100 }, (_, i) => {
          const info = all[i % all.length]!;
          const alg = defaultAlgorithm(info.type);
          const msg = Buffer.from(`concurrent ${i}`);
          return store
            .sign(info.label, alg, msg)
            .then((sig) => verifyWithNode(alg, info.publicKey, msg, sig));
        });
        const ok = await Promise.all(jobs);
        assert.equal(ok.filter(Boolean).length, 100);
      });

      await t.test('keys persist across close and reopen', async () => {
        await store.close();
        await assertRejectsCode(() => store.list(), 'KEYSTORE_CLOSED');
        store = await fx.open();
        const labels = (await store.list()).map((k) => k.label);
        for (const info of keys.values()) {
          assert.ok(labels.includes(info.label), `${info.label} after reopen`);
          const alg = defaultAlgorithm(info.type);
          const msg = Buffer.from('after reopen');
          assert.ok(
            verifyWithNode(alg, info.publicKey, msg, await store.sign(info.label, alg, msg)),
          );
        }
      });
    } finally {
      await store.close();
      fx.cleanup();
    }
  });
}
