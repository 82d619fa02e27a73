import { constants, createPublicKey, verify } from 'node:crypto';
import type { SignatureAlgorithm } from '@cairn/core';

/** Verify a signature over a whole message with node:crypto, as a relying party would. */
export function verifyWithNode(
  algorithm: SignatureAlgorithm,
  spki: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  switch (algorithm) {
    case 'ES256':
    case 'ESP256':
      return verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'ES384':
    case 'ESP384':
      return verify('sha384', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'EdDSA':
    case 'Ed25519':
      return verify(null, message, key, signature);
    case 'PS256':
      return verify(
        'sha256',
        message,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
        signature,
      );
  }
}

export const ALGORITHMS: readonly SignatureAlgorithm[] = [
  'ES256',
  'ESP256',
  'ES384',
  'ESP384',
  'EdDSA',
  'Ed25519',
  'PS256',
];
