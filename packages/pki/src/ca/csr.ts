import 'reflect-metadata';
import { Pkcs10CertificateRequest } from '@peculiar/x509';
import { PkiError } from '../errors.js';
import type { SubjectInput } from '../x509/names.js';

/** Largest CSR accepted, PEM or DER. */
export const MAX_CSR_BYTES = 64 * 1024;

export interface ParsedCsr {
  /** DER SubjectPublicKeyInfo of the requested key. */
  readonly publicKey: Uint8Array;
  /** CN/O/OU/C found in the CSR subject (other attributes are ignored). */
  readonly subject: Partial<SubjectInput>;
  /** Extension OIDs the CSR asked for: reported, never copied into the certificate. */
  readonly requestedExtensions: readonly string[];
}

/** Parse a PKCS#10 request (PEM or DER) and verify its self-signature (proof of possession). */
export async function parseCsr(input: string | Uint8Array): Promise<ParsedCsr> {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (size === 0 || size > MAX_CSR_BYTES) {
    throw new PkiError(
      'CSR_INVALID',
      `CSR is ${size} bytes: expected 1..${MAX_CSR_BYTES} bytes of PEM or DER`,
    );
  }
  let csr: Pkcs10CertificateRequest;
  try {
    csr = new Pkcs10CertificateRequest(typeof input === 'string' ? input : Buffer.from(input));
  } catch (err) {
    throw new PkiError(
      'CSR_INVALID',
      'CSR is not a PKCS#10 certification request (PEM "CERTIFICATE REQUEST" or DER)',
      { cause: err },
    );
  }
  let ok = false;
  try {
    ok = await csr.verify();
  } catch (err) {
    throw new PkiError(
      'CSR_INVALID',
      `CSR signature could not be checked (algorithm ${JSON.stringify(csr.signatureAlgorithm)}): use an EC P-256/P-384, Ed25519 or RSA key`,
      { cause: err },
    );
  }
  if (!ok) {
    throw new PkiError(
      'CSR_INVALID',
      'CSR signature does not verify with its own public key: the request was altered or not signed by the key it names',
    );
  }
  const name = csr.subjectName;
  const first = (attr: string): string | undefined => name.getField(attr)[0];
  const subject: {
    commonName?: string;
    organization?: string;
    organizationalUnit?: string;
    country?: string;
  } = {};
  const cn = first('CN');
  const o = first('O');
  const ou = first('OU');
  const c = first('C');
  if (cn !== undefined) subject.commonName = cn;
  if (o !== undefined) subject.organization = o;
  if (ou !== undefined) subject.organizationalUnit = ou;
  if (c !== undefined) subject.country = c;
  return {
    publicKey: new Uint8Array(csr.publicKey.rawData),
    subject,
    requestedExtensions: csr.extensions.map((e) => e.type),
  };
}
