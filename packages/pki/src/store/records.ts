import type { ProfileName } from '../profiles/profile.js';
import type { RevocationReason } from '../crl/reasons.js';
import { fromDbBytes, fromDbTimestamp } from '@cairn/db';
import { toPem } from '../x509/pem.js';
import type { PkiTables } from './schema.js';

/** A certificate authority known to the PKI. */
export interface CaInfo {
  readonly id: string;
  readonly kind: 'root' | 'issuing';
  readonly parentId: string | null;
  readonly keyLabel: string;
  readonly keyType: string;
  readonly subject: string;
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly der: Uint8Array;
  readonly pem: string;
}

/** Profile of a stored certificate: a leaf profile, or a CA certificate. */
export type StoredProfile = ProfileName | 'root-ca' | 'issuing-ca';

/** A certificate the PKI issued, with its revocation state. */
export interface CertificateRecord {
  readonly serial: string;
  readonly caId: string;
  readonly profile: StoredProfile;
  readonly subject: string;
  readonly keyLabel: string | null;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly der: Uint8Array;
  readonly pem: string;
  readonly revokedAt: Date | null;
  readonly reason: RevocationReason | null;
}

/** A CRL the PKI generated. */
export interface CrlInfo {
  readonly caId: string;
  readonly number: number;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly der: Uint8Array;
  readonly pem: string;
}

export function caFromRow(r: PkiTables['pki_cas']): CaInfo {
  const der = fromDbBytes(r.der);
  return {
    id: r.id,
    kind: r.kind,
    parentId: r.parent_id,
    keyLabel: r.key_label,
    keyType: r.key_type,
    subject: r.subject,
    serial: r.serial,
    notBefore: fromDbTimestamp(r.not_before),
    notAfter: fromDbTimestamp(r.not_after),
    der,
    pem: toPem('CERTIFICATE', der),
  };
}

export function certFromRow(r: PkiTables['pki_certificates']): CertificateRecord {
  const der = fromDbBytes(r.der);
  return {
    serial: r.serial,
    caId: r.ca_id,
    profile: r.profile as StoredProfile,
    subject: r.subject,
    keyLabel: r.key_label,
    notBefore: fromDbTimestamp(r.not_before),
    notAfter: fromDbTimestamp(r.not_after),
    der,
    pem: toPem('CERTIFICATE', der),
    revokedAt: r.revoked_at === null ? null : fromDbTimestamp(r.revoked_at),
    reason: r.reason as RevocationReason | null,
  };
}

export function crlFromRow(r: PkiTables['pki_crls']): CrlInfo {
  const der = fromDbBytes(r.der);
  return {
    caId: r.ca_id,
    number: Number(r.number),
    thisUpdate: fromDbTimestamp(r.this_update),
    nextUpdate: fromDbTimestamp(r.next_update),
    der,
    pem: toPem('X509 CRL', der),
  };
}
