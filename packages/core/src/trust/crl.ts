import { DerError } from '../der/errors.js';
import { children, decodeDer, DerTag } from '../der/reader.js';
import {
  decodeBitString,
  decodeInteger,
  decodeSmallInteger,
  decodeTime,
  sequence,
} from '../der/values.js';
import { parseAlgorithm, parseExtensionList, parseExtensions } from './certificate.js';
import type { AlgorithmIdentifier, CertExtension } from './certificate.js';
import { bytesEqual } from './bytes.js';
import { TrustError } from './errors.js';
import { formatName } from './names.js';

/** Default cap on one DER CRL (a code-signing CA revokes few certificates). */
export const MAX_CRL_BYTES = 1024 * 1024;

/** CRL extensions we understand; a critical one outside this set is refused. */
const HANDLED_CRL_EXTENSIONS: ReadonlySet<string> = new Set([
  '2.5.29.20', // cRLNumber
  '2.5.29.35', // authorityKeyIdentifier
]);
/** CRL entry extensions we understand (reasonCode, invalidityDate). */
const HANDLED_ENTRY_EXTENSIONS: ReadonlySet<string> = new Set(['2.5.29.21', '2.5.29.24']);

export interface ParsedCrl {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: AlgorithmIdentifier;
  readonly signature: Uint8Array;
  readonly issuer: Uint8Array;
  readonly issuerText: string;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  /** Revoked serial numbers with their revocation dates. */
  readonly revoked: ReadonlyMap<bigint, Date>;
  readonly extensions: readonly CertExtension[];
}

/**
 * Parse a DER CertificateList (RFC 5280 5.1) strictly. Throws TrustError CRL_INVALID
 * for size, encoding, or critical extensions we do not implement (delta or indirect CRLs).
 */
export function parseCrl(der: Uint8Array, label = 'CRL', maxBytes = MAX_CRL_BYTES): ParsedCrl {
  if (der.length > maxBytes) {
    throw new TrustError(
      'CRL_INVALID',
      `${label} is ${der.length} bytes, over the ${maxBytes}-byte cap`,
    );
  }
  try {
    return parseStrict(der, label);
  } catch (err) {
    if (err instanceof DerError) {
      throw new TrustError('CRL_INVALID', `${label} is not a valid DER CRL (${err.message})`, {
        cause: err,
      });
    }
    throw err;
  }
}

function parseStrict(der: Uint8Array, label: string): ParsedCrl {
  const list = sequence(decodeDer(der), 'CertificateList');
  const tbsEl = list.next('tbsCertList', DerTag.SEQUENCE);
  const sigAlg = parseAlgorithm(list.next('signatureAlgorithm'));
  const sig = decodeBitString(list.next('signatureValue'), 'signatureValue');
  list.end();

  const tbs = sequence(tbsEl, 'TBSCertList');
  const versionEl = tbs.optional(DerTag.INTEGER);
  if (versionEl && decodeSmallInteger(versionEl, 'version') !== 1) {
    throw new DerError('DER_INVALID_VALUE', 'CRL version is not v2');
  }
  const inner = parseAlgorithm(tbs.next('signature'));
  if (!bytesEqual(inner.der, sigAlg.der)) {
    throw new DerError('DER_INVALID_VALUE', 'CRL signature algorithms inside and outside differ');
  }
  const issuerEl = tbs.next('issuer', DerTag.SEQUENCE);
  const thisUpdate = decodeTime(tbs.next('thisUpdate'), 'thisUpdate');
  const nextEl = tbs.optional(DerTag.UTC_TIME) ?? tbs.optional(DerTag.GENERALIZED_TIME);
  const nextUpdate = nextEl ? decodeTime(nextEl, 'nextUpdate') : undefined;
  const revokedEl = tbs.optional(DerTag.SEQUENCE);
  const extsEl = tbs.optional(0xa0);
  tbs.end();

  const revoked = new Map<bigint, Date>();
  for (const entryEl of revokedEl ? children(revokedEl) : []) {
    const entry = sequence(entryEl, 'revokedCertificate');
    const serial = decodeInteger(entry.next('userCertificate'), 'userCertificate');
    const date = decodeTime(entry.next('revocationDate'), 'revocationDate');
    const entryExts = entry.optional(DerTag.SEQUENCE);
    entry.end();
    if (entryExts) {
      // @peculiar/x509 (and so @cairn/pki) writes an empty list here; OpenSSL accepts it too.
      for (const e of parseExtensionList(entryExts, true)) {
        if (e.critical && !HANDLED_ENTRY_EXTENSIONS.has(e.oid)) {
          throw new TrustError(
            'CRL_INVALID',
            `${label} has a critical entry extension ${e.oid} (e.g. an indirect CRL) that Cairn does not implement`,
          );
        }
      }
    }
    revoked.set(serial, date);
  }
  const extensions = extsEl ? parseExtensions(extsEl) : [];
  for (const e of extensions) {
    if (e.critical && !HANDLED_CRL_EXTENSIONS.has(e.oid)) {
      throw new TrustError(
        'CRL_INVALID',
        `${label} has a critical extension ${e.oid} (e.g. a delta CRL or issuing distribution point) that Cairn does not implement; issue a plain full CRL`,
      );
    }
  }
  return {
    der,
    tbs: tbsEl.raw,
    signatureAlgorithm: sigAlg,
    signature: sig.bytes,
    issuer: issuerEl.raw,
    issuerText: formatName(issuerEl),
    thisUpdate,
    nextUpdate,
    revoked,
    extensions,
  };
}
