import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  Extension,
  KeyUsagesExtension,
  PublicKey,
  SubjectKeyIdentifierExtension,
  type KeyUsageFlags,
} from '@peculiar/x509';
import { OID } from './oids.js';

/** SKI per RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING, hex. */
export async function keyIdentifier(spki: Uint8Array): Promise<string> {
  const id = await new PublicKey(spki).getKeyIdentifier('SHA-1', webcrypto);
  return Buffer.from(id).toString('hex');
}

export function subjectKeyIdentifier(keyIdHex: string): Extension {
  return new SubjectKeyIdentifierExtension(keyIdHex, false);
}

export function authorityKeyIdentifier(issuerKeyIdHex: string): Extension {
  return new AuthorityKeyIdentifierExtension(issuerKeyIdHex, false);
}

/** basicConstraints, always critical (RFC 5280 requires it for CAs; we mark leaves too). */
export function basicConstraints(ca: boolean, pathLength?: number): Extension {
  return new BasicConstraintsExtension(ca, pathLength, true);
}

/**
 * privateKeyUsagePeriod (2.5.29.16), non-critical:
 *   SEQUENCE { notBefore [0] IMPLICIT GeneralizedTime, notAfter [1] IMPLICIT GeneralizedTime }
 * RFC 5280 deprecates it for general use but code-signing keys keep it so a verifier can
 * tell when the key was allowed to sign, independent of the certificate's validity.
 */
export function privateKeyUsagePeriod(notBefore: Date, notAfter: Date): Extension {
  const nb = tlv(0x80, Buffer.from(generalizedTime(notBefore), 'ascii'));
  const na = tlv(0x81, Buffer.from(generalizedTime(notAfter), 'ascii'));
  return new Extension(OID.privateKeyUsagePeriod, false, tlv(0x30, Buffer.concat([nb, na])));
}

/** crlNumber (2.5.29.20), non-critical: INTEGER. */
export function crlNumber(n: bigint): Extension {
  return new Extension(OID.crlNumber, false, tlv(0x02, derUnsigned(n)));
}

/** YYYYMMDDHHMMSSZ (whole seconds, UTC), as DER requires. */
function generalizedTime(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

function derUnsigned(n: bigint): Buffer {
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const b = Buffer.from(hex, 'hex');
  return b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b;
}

function tlv(tag: number, value: Buffer): Buffer {
  const len = value.length;
  let head: Buffer;
  if (len < 0x80) head = Buffer.from([tag, len]);
  else if (len < 0x100) head = Buffer.from([tag, 0x81, len]);
  else head = Buffer.from([tag, 0x82, len >> 8, len & 0xff]);
  return Buffer.concat([head, value]);
}

/** keyUsage (critical) with the OR of `flags`. */
export function keyUsage(...flags: readonly KeyUsageFlags[]): Extension {
  const bits = flags.reduce<number>((acc, f) => acc | f, 0);
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- a flags enum: OR-ed members are its intended values
  return new KeyUsagesExtension(bits, true);
}
