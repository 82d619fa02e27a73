// Certificate fixtures for trust tests: keys, certificates and CRLs built with
// @peculiar/x509 over Node's WebCrypto, so nothing here shares code with the
// verifier under test in @cairn/core.
import 'reflect-metadata';
import { KeyObject, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type Algorithm = webcrypto.Algorithm;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export type TestKeyAlg = 'P-256' | 'P-384' | 'Ed25519' | 'RSA-2048';

export interface TestKey {
  readonly alg: TestKeyAlg;
  readonly pair: CryptoKeyPair;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  readonly publicKey: KeyObject;
  /** The private key as PKCS#8 PEM (for openssl-based cross-checks). */
  readonly privatePem: string;
}

const KEYGEN: Record<TestKeyAlg, { gen: Algorithm; sign: Algorithm }> = {
  'P-256': {
    gen: { name: 'ECDSA', namedCurve: 'P-256' } as Algorithm,
    sign: { name: 'ECDSA', hash: 'SHA-256' } as Algorithm,
  },
  'P-384': {
    gen: { name: 'ECDSA', namedCurve: 'P-384' } as Algorithm,
    sign: { name: 'ECDSA', hash: 'SHA-384' } as Algorithm,
  },
  Ed25519: { gen: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
  'RSA-2048': {
    gen: {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    } as Algorithm,
    sign: { name: 'RSASSA-PKCS1-v1_5' },
  },
};

/** A fresh key pair of the given algorithm. */
export async function generateTestKey(alg: TestKeyAlg = 'P-256'): Promise<TestKey> {
  const pair = (await webcrypto.subtle.generateKey(KEYGEN[alg].gen, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const spki = new Uint8Array(await webcrypto.subtle.exportKey('spki', pair.publicKey));
  const publicKey = KeyObject.from(pair.publicKey);
  const privatePem = KeyObject.from(pair.privateKey)
    .export({ format: 'pem', type: 'pkcs8' })
    .toString();
  return { alg, pair, spki, publicKey, privatePem };
}

export type TestKeyUsage = keyof typeof x509.KeyUsageFlags;

export interface TestExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** DER extnValue content. */
  readonly value: Uint8Array;
}

export interface CertSpec {
  /** Distinguished name, e.g. `CN=Cairn Test Root`. */
  readonly subject: string;
  readonly key: TestKey;
  /** Issuing certificate; omit for a self-signed certificate. */
  readonly issuer?: TestCert;
  /** Override the issuer name written into the certificate (name-chaining tests). */
  readonly issuerName?: string;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Hex serial; default random. */
  readonly serial?: string;
  /** basicConstraints; `false` leaves the extension out. */
  readonly basicConstraints?: false | { ca: boolean; pathLen?: number; critical?: boolean };
  /** keyUsage names; `false` leaves the extension out. */
  readonly keyUsage?: false | readonly TestKeyUsage[];
  /** Extended key usage OIDs; `false` leaves the extension out. */
  readonly eku?: false | readonly string[];
  readonly extraExtensions?: readonly TestExtension[];
  /** Subject and authority key identifiers (default true, as real CAs and `openssl -x509_strict` want). */
  readonly keyIdentifiers?: boolean;
}

export interface TestCert {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly subject: string;
  readonly key: TestKey;
  /** Serial as hex, as issued. */
  readonly serial: string;
}

export const FIXTURE_NOT_BEFORE = new Date('2024-01-01T00:00:00Z');
export const FIXTURE_NOT_AFTER = new Date('2034-01-01T00:00:00Z');
/** A reference time inside every default fixture's validity. */
export const FIXTURE_AT = new Date('2026-06-01T00:00:00Z');
export const EKU_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
export const EKU_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

let serialCounter = 0x1000;

/** Issue (or self-sign) one certificate from a spec. */
export async function issueCertificate(spec: CertSpec): Promise<TestCert> {
  const serial = spec.serial ?? (serialCounter++).toString(16).padStart(6, '0');
  const extensions: x509.Extension[] = [];
  const bc = spec.basicConstraints ?? false;
  if (bc !== false) {
    extensions.push(new x509.BasicConstraintsExtension(bc.ca, bc.pathLen, bc.critical ?? true));
  }
  const ku = spec.keyUsage ?? false;
  if (ku !== false) {
    const flags = ku.reduce<number>((acc, name) => acc | x509.KeyUsageFlags[name], 0);
    // KeyUsageFlags is a bit set: OR-ing its members is how the library expects it used.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
    extensions.push(new x509.KeyUsagesExtension(flags, true));
  }
  const eku = spec.eku ?? false;
  if (eku !== false) extensions.push(new x509.ExtendedKeyUsageExtension([...eku], false));
  if (spec.keyIdentifiers ?? true) {
    extensions.push(await x509.SubjectKeyIdentifierExtension.create(spec.key.pair.publicKey));
    const authority = spec.issuer?.key ?? spec.key;
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(authority.pair.publicKey));
  }
  for (const e of spec.extraExtensions ?? []) {
    extensions.push(new x509.Extension(e.oid, e.critical, e.value));
  }
  const signer = spec.issuer?.key ?? spec.key;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: spec.subject,
    issuer: spec.issuerName ?? spec.issuer?.subject ?? spec.subject,
    notBefore: spec.notBefore ?? FIXTURE_NOT_BEFORE,
    notAfter: spec.notAfter ?? FIXTURE_NOT_AFTER,
    extensions,
    publicKey: spec.key.pair.publicKey,
    signingKey: signer.pair.privateKey,
    signingAlgorithm: KEYGEN[signer.alg].sign,
  });
  return {
    der: new Uint8Array(cert.rawData),
    pem: cert.toString('pem'),
    subject: spec.subject,
    key: spec.key,
    serial,
  };
}

/** Spec defaults for a CA certificate (basicConstraints cA, keyCertSign + cRLSign). */
export function caProfile(pathLen?: number): Pick<CertSpec, 'basicConstraints' | 'keyUsage'> {
  return {
    basicConstraints: pathLen === undefined ? { ca: true } : { ca: true, pathLen },
    keyUsage: ['keyCertSign', 'cRLSign'],
  };
}

/** Spec defaults for a code-signing leaf. */
export const CODE_SIGNING_PROFILE: Pick<CertSpec, 'keyUsage' | 'eku'> = Object.freeze({
  keyUsage: ['digitalSignature'] as const,
  eku: [EKU_CODE_SIGNING] as const,
});

export interface TestChain {
  readonly root: TestCert;
  readonly ca: TestCert;
  readonly leaf: TestCert;
  /** x5chain order: leaf, issuing CA (the root is the anchor). */
  readonly chain: Uint8Array[];
}

export interface TestChainOptions {
  /** Key algorithm for all three keys (default P-256). */
  readonly alg?: TestKeyAlg;
  readonly root?: Partial<CertSpec>;
  readonly ca?: Partial<CertSpec>;
  readonly leaf?: Partial<CertSpec>;
}

/** Root CA → issuing CA → code-signing leaf; any spec field can be overridden per level. */
export async function buildTestChain(options: TestChainOptions = {}): Promise<TestChain> {
  const alg = options.alg ?? 'P-256';
  const root = await issueCertificate({
    subject: 'CN=Cairn Test Root, O=Cairn Test',
    key: options.root?.key ?? (await generateTestKey(alg)),
    ...caProfile(),
    ...options.root,
  });
  const ca = await issueCertificate({
    subject: 'CN=Cairn Test Issuing CA, O=Cairn Test',
    key: options.ca?.key ?? (await generateTestKey(alg)),
    issuer: root,
    ...caProfile(0),
    ...options.ca,
  });
  const leaf = await issueCertificate({
    subject: 'CN=Cairn Test Firmware Signer, O=Cairn Test',
    key: options.leaf?.key ?? (await generateTestKey(alg)),
    issuer: ca,
    ...CODE_SIGNING_PROFILE,
    ...options.leaf,
  });
  return { root, ca, leaf, chain: [leaf.der, ca.der] };
}

export interface CrlSpec {
  readonly issuer: TestCert;
  /** Hex serials to revoke. */
  readonly revoked?: readonly string[];
  readonly thisUpdate?: Date;
  /** `null` omits nextUpdate. */
  readonly nextUpdate?: Date | null;
  /** Sign with this key instead of the issuer's (bad-signature tests). */
  readonly signWith?: TestKey;
}

/** A DER CRL from `issuer`. */
export async function issueCrl(spec: CrlSpec): Promise<Uint8Array> {
  const signer = spec.signWith ?? spec.issuer.key;
  const crl = await x509.X509CrlGenerator.create({
    issuer: spec.issuer.subject,
    thisUpdate: spec.thisUpdate ?? FIXTURE_NOT_BEFORE,
    ...(spec.nextUpdate === null ? {} : { nextUpdate: spec.nextUpdate ?? FIXTURE_NOT_AFTER }),
    entries: (spec.revoked ?? []).map((serialNumber) => ({
      serialNumber,
      revocationDate: spec.thisUpdate ?? FIXTURE_NOT_BEFORE,
    })),
    signingKey: signer.pair.privateKey,
    signingAlgorithm: KEYGEN[signer.alg].sign,
  });
  return new Uint8Array(crl.rawData);
}

/** PEM armour for DER bytes. */
export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** A copy of `der` with one byte flipped at `offset` (negative counts from the end). */
export function flipByte(der: Uint8Array, offset: number): Uint8Array {
  const out = new Uint8Array(der);
  const i = offset < 0 ? out.length + offset : offset;
  out[i] = out[i]! ^ 0x01;
  return out;
}
