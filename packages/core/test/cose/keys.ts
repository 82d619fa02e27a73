// Key pairs for every algorithm, generated once per test file with node:crypto.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { SignatureAlgorithm } from '@cairn/core';

export interface TestKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

let cache: Record<'p256' | 'p384' | 'ed25519' | 'rsa', TestKeyPair> | undefined;

/** One key pair per key type (RSA 2048, the smallest PS256 accepts). */
export function testKeys(): Record<'p256' | 'p384' | 'ed25519' | 'rsa', TestKeyPair> {
  cache ??= {
    p256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    p384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
    ed25519: generateKeyPairSync('ed25519'),
    rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  };
  return cache;
}

/** Which key type each algorithm signs with. */
export const KEY_FOR: Readonly<Record<SignatureAlgorithm, 'p256' | 'p384' | 'ed25519' | 'rsa'>> = {
  ES256: 'p256',
  ESP256: 'p256',
  ES384: 'p384',
  ESP384: 'p384',
  EdDSA: 'ed25519',
  Ed25519: 'ed25519',
  PS256: 'rsa',
};

export const ALL_ALGORITHMS: readonly SignatureAlgorithm[] = Object.keys(
  KEY_FOR,
) as SignatureAlgorithm[];

/** Flip one bit of a copy of `bytes`. */
export function flipBit(bytes: Uint8Array, byte: number, bit = 0): Uint8Array {
  const out = bytes.slice();
  out[byte]! ^= 1 << bit;
  return out;
}
