/**
 * Object identifiers the PKI writes.
 *
 * Cairn's private OID arc is `2.25.204405047020782521280289615255385124992`: an arc under
 * `2.25` (ITU-T X.667 / ISO/IEC 9834-8), which anyone may allocate without registration
 * from a UUID (here 99c6fae6-cafd-4f80-b0de-dff329c3b080, read as a 128-bit integer).
 * Sub-arcs: `.1` extended key usages, `.1.1` signing a transparency-log or audit-log
 * checkpoint (no standard id-kp-… covers that purpose).
 */
export const CAIRN_OID_ARC = '2.25.204405047020782521280289615255385124992';

export const OID = Object.freeze({
  /** id-kp-serverAuth (RFC 5280) */
  serverAuth: '1.3.6.1.5.5.7.3.1',
  /** id-kp-clientAuth (RFC 5280) */
  clientAuth: '1.3.6.1.5.5.7.3.2',
  /** id-kp-codeSigning (RFC 5280) */
  codeSigning: '1.3.6.1.5.5.7.3.3',
  /** Cairn: signing log checkpoints (transparency log, audit log). */
  cairnLogSigning: `${CAIRN_OID_ARC}.1.1`,
  /** id-ce-privateKeyUsagePeriod (RFC 5280 §4.2.1, X.509 §8.2.2.5) */
  privateKeyUsagePeriod: '2.5.29.16',
  /** id-ce-cRLNumber */
  crlNumber: '2.5.29.20',
});
