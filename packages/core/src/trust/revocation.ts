import type { KeyObject } from 'node:crypto';
import { ValidationError } from '../errors/base-error.js';
import type { FieldIssue } from '../errors/base-error.js';
import { bytesEqual, toHex } from './bytes.js';
import type { ParsedCertificate } from './certificate.js';
import { hasKeyUsage } from './certificate.js';
import { parseCrl } from './crl.js';
import type { ParsedCrl } from './crl.js';
import { TrustError } from './errors.js';
import { verifyX509Signature } from './signature.js';

/** One revoked certificate named by its issuer and serial number. */
export interface RevokedSerial {
  /** Serial as a bigint, hex text (`0a:1b` or `0a1b`) or unsigned big-endian bytes. */
  readonly serial: bigint | string | Uint8Array;
  /** SHA-256 of the issuer's DER SPKI. At least one issuer identifier is required. */
  readonly issuerSpkiSha256?: Uint8Array;
  /** The issuer Name, DER, as it appears in the certificate's issuer field. */
  readonly issuerName?: Uint8Array;
}

/** Caller-supplied revocation data: explicit entries and/or DER CRLs. */
export interface RevocationList {
  readonly entries?: readonly RevokedSerial[];
  readonly crls?: readonly Uint8Array[];
}

/** The issuer of one certificate in a verified path, as revocation needs it. */
export interface PathIssuer {
  readonly key: KeyObject;
  readonly spkiSha256: Uint8Array;
  /** The issuer's certificate when it is in the chain (for its keyUsage). */
  readonly cert: ParsedCertificate | undefined;
}

/** Normalise a serial to its integer value. */
export function serialValue(serial: bigint | string | Uint8Array): bigint {
  if (typeof serial === 'bigint') return serial;
  if (typeof serial === 'string') {
    const hex = serial.replace(/[:\s]/g, '');
    if (!/^[0-9a-fA-F]+$/.test(hex)) throw new TypeError(`serial "${serial}" is not hex`);
    return BigInt(`0x${hex}`);
  }
  return serial.length === 0 ? 0n : BigInt(`0x${toHex(serial)}`);
}

/** Boundary check of a RevocationList: every entry names an issuer and a valid serial. */
export function assertRevocationList(list: RevocationList): void {
  const issues: FieldIssue[] = [];
  (list.entries ?? []).forEach((e, i) => {
    if (e.issuerSpkiSha256 === undefined && e.issuerName === undefined) {
      issues.push({
        path: `entries[${i}]`,
        problem: 'names no issuer (issuerSpkiSha256 or issuerName)',
      });
    }
    if (e.issuerSpkiSha256 !== undefined && e.issuerSpkiSha256.length !== 32) {
      issues.push({ path: `entries[${i}].issuerSpkiSha256`, problem: 'is not 32 bytes' });
    }
    try {
      serialValue(e.serial);
    } catch {
      issues.push({
        path: `entries[${i}].serial`,
        problem: 'is not a bigint, hex string or bytes',
      });
    }
  });
  if (issues.length > 0) throw new ValidationError('revocation list', issues);
}

/**
 * Step "revocation" of chain verification: `path[i]` is issued by `issuers[i]`
 * (undefined when the issuer is outside what we verified, e.g. above a pinned cert).
 */
export function checkRevocation(
  list: RevocationList,
  path: readonly ParsedCertificate[],
  issuers: readonly (PathIssuer | undefined)[],
  at: Date,
  describe: (i: number) => string,
): void {
  assertRevocationList(list);
  const crls = (list.crls ?? []).map((der, i) => parseCrl(der, `CRL #${i}`));
  path.forEach((cert, i) => {
    const issuer = issuers[i];
    for (const e of list.entries ?? []) {
      const byName = e.issuerName !== undefined && bytesEqual(e.issuerName, cert.issuer);
      const bySpki =
        e.issuerSpkiSha256 !== undefined &&
        issuer !== undefined &&
        bytesEqual(e.issuerSpkiSha256, issuer.spkiSha256);
      if ((byName || bySpki) && serialValue(e.serial) === cert.serial) {
        throw revoked(describe(i), 'the caller-supplied revocation list');
      }
    }
    crls.forEach((crl, j) => {
      if (!bytesEqual(crl.issuer, cert.issuer) || issuer === undefined) return;
      checkCrl(crl, `CRL #${j} (issuer "${crl.issuerText}")`, issuer, at);
      if (crl.revoked.has(cert.serial)) throw revoked(describe(i), `CRL #${j}`);
    });
  });
}

function checkCrl(crl: ParsedCrl, label: string, issuer: PathIssuer, at: Date): void {
  if (issuer.cert?.keyUsage !== undefined && !hasKeyUsage(issuer.cert, 'cRLSign')) {
    throw new TrustError(
      'CRL_INVALID',
      `${label}: its issuer's certificate lacks keyUsage cRLSign, so it may not sign CRLs`,
    );
  }
  if (!verifyX509Signature(crl.signatureAlgorithm, issuer.key, crl.tbs, crl.signature, label)) {
    throw new TrustError(
      'CRL_INVALID',
      `${label}: signature does not verify with the issuing CA's key; fetch the CRL from the CA again`,
    );
  }
  if (crl.thisUpdate.getTime() > at.getTime()) {
    throw new TrustError(
      'CRL_INVALID',
      `${label}: thisUpdate ${crl.thisUpdate.toISOString()} is after the verification time ${at.toISOString()}; check the clock`,
    );
  }
  if (crl.nextUpdate === undefined || crl.nextUpdate.getTime() < at.getTime()) {
    throw new TrustError(
      'CRL_EXPIRED',
      crl.nextUpdate === undefined
        ? `${label}: has no nextUpdate, so its freshness cannot be judged; issue CRLs with nextUpdate`
        : `${label}: nextUpdate ${crl.nextUpdate.toISOString()} is before the verification time ${at.toISOString()}; supply a fresh CRL`,
    );
  }
}

function revoked(what: string, source: string): TrustError {
  return new TrustError(
    'CERT_REVOKED',
    `${what} is revoked according to ${source}; sign with a valid certificate`,
  );
}
