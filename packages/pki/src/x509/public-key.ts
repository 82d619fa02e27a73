import { createPublicKey } from 'node:crypto';
import { PkiError } from '../errors.js';

/** What kind of public key a certificate certifies. */
export type PublicKeyKind =
  | { readonly kind: 'ec'; readonly curve: 'P-256' | 'P-384' }
  | { readonly kind: 'ed25519' }
  | { readonly kind: 'rsa'; readonly bits: number };

/** Largest SubjectPublicKeyInfo accepted (an RSA-8192 SPKI is ~1.1 KiB). */
export const MAX_SPKI_BYTES = 4096;

/** Parse a DER SPKI and say what it is; unsupported or malformed → ENCODING_INVALID. */
export function describePublicKey(spki: Uint8Array): PublicKeyKind {
  if (spki.length === 0 || spki.length > MAX_SPKI_BYTES) {
    throw new PkiError(
      'ENCODING_INVALID',
      `public key is ${spki.length} bytes: expected a DER SubjectPublicKeyInfo of 1..${MAX_SPKI_BYTES} bytes`,
    );
  }
  let key;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (err) {
    throw new PkiError('ENCODING_INVALID', 'public key is not a valid DER SubjectPublicKeyInfo', {
      cause: err,
    });
  }
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec':
      if (details.namedCurve === 'prime256v1') return { kind: 'ec', curve: 'P-256' };
      if (details.namedCurve === 'secp384r1') return { kind: 'ec', curve: 'P-384' };
      break;
    case 'ed25519':
      return { kind: 'ed25519' };
    case 'rsa':
    case 'rsa-pss': {
      const bits = details.modulusLength ?? 0;
      if (bits >= 2048 && bits <= 8192) return { kind: 'rsa', bits };
      break;
    }
    default:
      break;
  }
  throw new PkiError(
    'KEY_TYPE_UNSUPPORTED',
    `public key type ${key.asymmetricKeyType ?? 'unknown'}${details.namedCurve ? ` (${details.namedCurve})` : ''}${details.modulusLength ? ` (${details.modulusLength} bits)` : ''} is not certified: use EC P-256/P-384, Ed25519 or RSA 2048..8192`,
  );
}
