import { DerError } from '../der/errors.js';
import { children, decodeDer, DerTag } from '../der/reader.js';
import type { DerElement } from '../der/reader.js';
import {
  decodeBitString,
  decodeBoolean,
  decodeInteger,
  decodeOid,
  decodeSmallInteger,
  decodeTime,
  expectTag,
  sequence,
} from '../der/values.js';
import { bytesEqual } from './bytes.js';
import { TrustError } from './errors.js';
import { formatName } from './names.js';

/** Default cap on one DER certificate. Code-signing certificates are ~1 KiB. */
export const MAX_CERT_BYTES = 16 * 1024;

export interface AlgorithmIdentifier {
  readonly oid: string;
  /** The DER parameters element, when present. */
  readonly params: Uint8Array | undefined;
  /** The whole AlgorithmIdentifier DER, for exact comparison. */
  readonly der: Uint8Array;
}

export interface CertExtension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

/** KeyUsage bit numbers (RFC 5280 4.2.1.3). */
export const KeyUsageBit = Object.freeze({
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
});
export type KeyUsageName = keyof typeof KeyUsageBit;

export const OID_BASIC_CONSTRAINTS = '2.5.29.19';
export const OID_KEY_USAGE = '2.5.29.15';
export const OID_EXT_KEY_USAGE = '2.5.29.37';
export const OID_SUBJECT_ALT_NAME = '2.5.29.17';
export const OID_EKU_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';

/** Extensions whose semantics we enforce (so they may be critical). */
export const HANDLED_CRITICAL_EXTENSIONS: ReadonlySet<string> = new Set([
  OID_BASIC_CONSTRAINTS,
  OID_KEY_USAGE,
  OID_EXT_KEY_USAGE,
  // We never match names against SANs, so a critical SAN changes nothing for us.
  OID_SUBJECT_ALT_NAME,
]);

/** The fields of an X.509 v1/v3 certificate that chain verification needs. */
export interface ParsedCertificate {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  /** 1, 2 or 3. */
  readonly version: number;
  readonly serial: bigint;
  readonly serialHex: string;
  readonly signatureAlgorithm: AlgorithmIdentifier;
  readonly signature: Uint8Array;
  /** Issuer and subject Name, DER; compared byte for byte. */
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  readonly issuerText: string;
  readonly subjectText: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SubjectPublicKeyInfo DER exactly as in the certificate. */
  readonly spki: Uint8Array;
  readonly extensions: readonly CertExtension[];
  readonly basicConstraints: { readonly ca: boolean; readonly pathLen?: number } | undefined;
  /** Bit set of KeyUsageBit values, or undefined when the extension is absent. */
  readonly keyUsage: number | undefined;
  readonly extKeyUsage: readonly string[] | undefined;
}

/** Whether a parsed certificate's keyUsage has a bit (false when keyUsage is absent). */
export function hasKeyUsage(cert: ParsedCertificate, usage: KeyUsageName): boolean {
  return cert.keyUsage !== undefined && (cert.keyUsage & (1 << KeyUsageBit[usage])) !== 0;
}

/**
 * Parse one DER certificate strictly. Throws TrustError CERT_TOO_LARGE or
 * CERT_MALFORMED (with the DER error as `cause`); `label` names it in messages.
 */
export function parseCertificate(
  der: Uint8Array,
  label = 'certificate',
  maxBytes = MAX_CERT_BYTES,
): ParsedCertificate {
  if (der.length > maxBytes) {
    throw new TrustError(
      'CERT_TOO_LARGE',
      `${label} is ${der.length} bytes, over the ${maxBytes}-byte cap; a code-signing certificate should be a few KiB at most`,
    );
  }
  try {
    return parseStrict(der);
  } catch (err) {
    if (err instanceof DerError) {
      throw new TrustError(
        'CERT_MALFORMED',
        `${label} is not a valid DER X.509 certificate (${err.message}); check that the chain carries DER, not PEM`,
        { cause: err },
      );
    }
    throw err;
  }
}

function parseStrict(der: Uint8Array): ParsedCertificate {
  const cert = sequence(decodeDer(der), 'Certificate');
  const tbsEl = cert.next('tbsCertificate', DerTag.SEQUENCE);
  const sigAlg = parseAlgorithm(cert.next('signatureAlgorithm'));
  const sigBits = decodeBitString(cert.next('signatureValue'), 'signatureValue');
  cert.end();
  if (sigBits.unusedBits !== 0) throw bad('signatureValue has unused bits');

  const tbs = sequence(tbsEl, 'TBSCertificate');
  const versionEl = tbs.optional(0xa0);
  let version = 1;
  if (versionEl) {
    const [v, ...rest] = children(versionEl);
    if (!v || rest.length > 0) throw bad('version is not one INTEGER');
    const n = decodeSmallInteger(v, 'version');
    if (n !== 1 && n !== 2) throw bad(`version ${n} is not v2 or v3 (v1 must be omitted in DER)`);
    version = n + 1;
  }
  const serialEl = tbs.next('serialNumber', DerTag.INTEGER);
  const serial = decodeInteger(serialEl, 'serialNumber');
  const innerAlg = parseAlgorithm(tbs.next('signature'));
  if (!bytesEqual(innerAlg.der, sigAlg.der)) {
    throw bad('the signature algorithm inside and outside the signed part differ');
  }
  const issuerEl = tbs.next('issuer', DerTag.SEQUENCE);
  const validity = sequence(tbs.next('validity'), 'Validity');
  const notBefore = decodeTime(validity.next('notBefore'), 'notBefore');
  const notAfter = decodeTime(validity.next('notAfter'), 'notAfter');
  validity.end();
  const subjectEl = tbs.next('subject', DerTag.SEQUENCE);
  const spkiEl = tbs.next('subjectPublicKeyInfo', DerTag.SEQUENCE);
  tbs.optional(0x81);
  tbs.optional(0x82);
  const extsEl = tbs.optional(0xa3);
  tbs.end();
  if (extsEl && version !== 3) throw bad('extensions present in a certificate that is not v3');

  const extensions = extsEl ? parseExtensions(extsEl) : [];
  const ext = (oid: string): CertExtension | undefined => extensions.find((e) => e.oid === oid);
  const bcExt = ext(OID_BASIC_CONSTRAINTS);
  const kuExt = ext(OID_KEY_USAGE);
  const ekuExt = ext(OID_EXT_KEY_USAGE);

  return {
    der,
    tbs: tbsEl.raw,
    version,
    serial,
    serialHex: Buffer.from(serialEl.content).toString('hex'),
    signatureAlgorithm: sigAlg,
    signature: sigBits.bytes,
    issuer: issuerEl.raw,
    subject: subjectEl.raw,
    issuerText: formatName(issuerEl),
    subjectText: formatName(subjectEl),
    notBefore,
    notAfter,
    spki: spkiEl.raw,
    extensions,
    basicConstraints: bcExt ? parseBasicConstraints(bcExt.value) : undefined,
    keyUsage: kuExt ? parseKeyUsage(kuExt.value) : undefined,
    extKeyUsage: ekuExt ? parseEku(ekuExt.value) : undefined,
  };
}

/** AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }. */
export function parseAlgorithm(el: DerElement): AlgorithmIdentifier {
  const s = sequence(el, 'AlgorithmIdentifier');
  const oid = decodeOid(s.next('algorithm'));
  const params = s.done ? undefined : s.next('parameters').raw;
  s.end();
  return { oid, params, der: el.raw };
}

/** Extensions ::= SEQUENCE OF Extension, wrapped in an EXPLICIT tag. No duplicates. */
export function parseExtensions(wrapper: DerElement): CertExtension[] {
  const [list, ...rest] = children(wrapper);
  if (!list || rest.length > 0) throw bad('extensions wrapper does not hold one SEQUENCE');
  return parseExtensionList(list);
}

/** Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension, without a wrapper. No duplicates. */
export function parseExtensionList(list: DerElement, allowEmpty = false): CertExtension[] {
  expectTag(list, DerTag.SEQUENCE, 'Extensions');
  const out: CertExtension[] = [];
  for (const e of children(list)) {
    const s = sequence(e, 'Extension');
    const oid = decodeOid(s.next('extnID'));
    const critEl = s.optional(DerTag.BOOLEAN);
    const critical = critEl ? decodeBoolean(critEl, 'critical') : false;
    if (critEl && !critical) throw bad(`extension ${oid} encodes the default critical=FALSE`);
    const value = s.next('extnValue', DerTag.OCTET_STRING).content;
    s.end();
    if (out.some((x) => x.oid === oid)) throw bad(`extension ${oid} appears twice`);
    out.push({ oid, critical, value });
  }
  if (out.length === 0 && !allowEmpty) throw bad('extensions field is present but empty');
  return out;
}

function parseBasicConstraints(value: Uint8Array): { ca: boolean; pathLen?: number } {
  const s = sequence(decodeDer(value), 'BasicConstraints');
  const caEl = s.optional(DerTag.BOOLEAN);
  const ca = caEl ? decodeBoolean(caEl, 'cA') : false;
  if (caEl && !ca) throw bad('basicConstraints encodes the default cA=FALSE');
  const plEl = s.optional(DerTag.INTEGER);
  s.end();
  if (plEl === undefined) return { ca };
  return { ca, pathLen: decodeSmallInteger(plEl, 'pathLenConstraint') };
}

function parseKeyUsage(value: Uint8Array): number {
  const { bytes } = decodeBitString(decodeDer(value), 'KeyUsage');
  if (bytes.length > 2) throw bad('keyUsage is longer than 9 bits');
  let bits = 0;
  for (let i = 0; i < 9; i++) {
    const byte = bytes[i >> 3] ?? 0;
    if ((byte & (0x80 >> (i & 7))) !== 0) bits |= 1 << i;
  }
  return bits;
}

function parseEku(value: Uint8Array): string[] {
  const list = decodeDer(value);
  expectTag(list, DerTag.SEQUENCE, 'ExtKeyUsageSyntax');
  const oids = children(list).map((el) => decodeOid(el, 'KeyPurposeId'));
  if (oids.length === 0) throw bad('extKeyUsage is empty');
  return oids;
}

function bad(problem: string): DerError {
  return new DerError('DER_INVALID_VALUE', problem);
}
