import type { SignatureAlgorithm, Signer } from '@cairn/core';
import { algorithmFor, defaultAlgorithm } from './algorithms.js';
import { spkiSha256 } from './spki.js';
import type { KeyInfo, KeyStore } from './types.js';

/** A core Signer bound to one key of a store; kid is the SPKI SHA-256. */
export function storeSigner(
  store: Pick<KeyStore, 'sign'>,
  info: KeyInfo,
  algorithm?: SignatureAlgorithm,
): Signer {
  const alg = algorithm ?? defaultAlgorithm(info.type);
  algorithmFor(info.label, info.type, alg);
  const label = info.label;
  return Object.freeze({
    algorithm: alg,
    publicKey: info.publicKey,
    keyId: spkiSha256(info.publicKey),
    sign: (data: Uint8Array) => store.sign(label, alg, data),
  });
}
