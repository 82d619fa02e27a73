import { createHash, createPublicKey, type JsonWebKey } from 'node:crypto';
import type { KeyType } from '@cairn/core';
import { KeyError } from './errors.js';

const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

/** DER SubjectPublicKeyInfo from a JWK (node:crypto does the ASN.1). */
export function spkiFromJwk(jwk: JsonWebKey): Uint8Array {
  try {
    return new Uint8Array(
      createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'der', type: 'spki' }),
    );
  } catch (cause) {
    throw new KeyError(
      'KEYSTORE_CORRUPT',
      'public key material from the key store is not a valid key',
      { cause },
    );
  }
}

/** SPKI for an EC key from its uncompressed point 04‖x‖y. */
export function spkiFromEcPoint(type: 'ecdsa-p256' | 'ecdsa-p384', point: Uint8Array): Uint8Array {
  const size = type === 'ecdsa-p256' ? 32 : 48;
  if (point.length !== 1 + 2 * size || point[0] !== 0x04) {
    throw new KeyError(
      'KEYSTORE_CORRUPT',
      `EC point for ${type} is not an uncompressed ${1 + 2 * size}-byte point`,
    );
  }
  return spkiFromJwk({
    kty: 'EC',
    crv: type === 'ecdsa-p256' ? 'P-256' : 'P-384',
    x: b64u(point.subarray(1, 1 + size)),
    y: b64u(point.subarray(1 + size)),
  });
}

export function spkiFromEd25519(raw: Uint8Array): Uint8Array {
  if (raw.length !== 32)
    throw new KeyError(
      'KEYSTORE_CORRUPT',
      `Ed25519 public key must be 32 bytes, got ${raw.length}`,
    );
  return spkiFromJwk({ kty: 'OKP', crv: 'Ed25519', x: b64u(raw) });
}

export function spkiFromRsa(modulus: Uint8Array, exponent: Uint8Array): Uint8Array {
  return spkiFromJwk({ kty: 'RSA', n: b64u(stripZeros(modulus)), e: b64u(stripZeros(exponent)) });
}

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/** The key type of a DER SPKI, or undefined when Cairn does not use that kind of key. */
export function keyTypeOfSpki(spki: Uint8Array): KeyType | undefined {
  const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  const d = key.asymmetricKeyDetails;
  switch (key.asymmetricKeyType) {
    case 'ec':
      return d?.namedCurve === 'prime256v1'
        ? 'ecdsa-p256'
        : d?.namedCurve === 'secp384r1'
          ? 'ecdsa-p384'
          : undefined;
    case 'ed25519':
      return 'ed25519';
    case 'rsa':
      return d?.modulusLength === 3072 ? 'rsa-pss-3072' : undefined;
    default:
      return undefined;
  }
}

/** SHA-256 of the DER SPKI: the pin devices carry and the default COSE kid. */
export function spkiSha256(spki: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(spki).digest());
}
