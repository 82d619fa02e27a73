import 'reflect-metadata';
import { KeyUsageFlags, type Name, type X509Certificate } from '@peculiar/x509';
import type { FieldIssue } from '@cairn/core';
import { PkiError } from '../errors.js';
import type { Profile, ProfileRequest } from '../profiles/profile.js';
import {
  authorityKeyIdentifier,
  basicConstraints,
  keyIdentifier,
  keyUsage,
  subjectKeyIdentifier,
} from '../x509/extensions.js';
import { subjectIssues, toJsonName, type SubjectInput } from '../x509/names.js';
import { describePublicKey } from '../x509/public-key.js';
import type { PkiKeyStore } from '../x509/signing.js';
import { buildCertificate, type SigningKeyRef } from './build.js';
import { checkWithinCa, windowFrom } from './validity.js';

/** A CA able to sign: its certificate and the key-store key behind it. */
export interface IssuerRef extends SigningKeyRef {
  readonly name: string;
  readonly certificate: X509Certificate;
}

export interface CaCertificateInput {
  readonly store: PkiKeyStore;
  readonly keyLabel: string;
  readonly subject: SubjectInput;
  readonly days: number;
  readonly now: Date;
  readonly serial: string;
  /** 1 for a root (one level of issuing CAs below), 0 for an issuing CA. */
  readonly pathLength: number;
  /** Absent for a self-signed root. */
  readonly issuer?: IssuerRef;
}

/** A self-signed root (no issuer) or an issuing CA signed by `issuer`. */
export async function createCaCertificate(input: CaCertificateInput): Promise<X509Certificate> {
  failOn('CA request', subjectIssues(input.subject).concat(daysIssues(input.days, 1, 50 * 365)));
  const info = await input.store.get(input.keyLabel);
  const ski = await keyIdentifier(info.publicKey);
  const { notBefore, notAfter } = windowFrom(input.now, input.days);
  const issuer = input.issuer;
  let issuerName: Name | ReturnType<typeof toJsonName> = toJsonName(input.subject);
  let aki = ski;
  let signingKey: SigningKeyRef = { keyLabel: input.keyLabel, keyType: info.type };
  if (issuer) {
    checkWithinCa(issuerWindow(issuer), notBefore, notAfter);
    issuerName = issuer.certificate.subjectName;
    aki = await keyIdentifier(new Uint8Array(issuer.certificate.publicKey.rawData));
    signingKey = issuer;
  }
  return buildCertificate({
    store: input.store,
    signingKey,
    issuer: issuerName,
    subject: toJsonName(input.subject),
    publicKey: info.publicKey,
    serial: input.serial,
    notBefore,
    notAfter,
    extensions: [
      basicConstraints(true, input.pathLength),
      keyUsage(KeyUsageFlags.keyCertSign, KeyUsageFlags.cRLSign),
      subjectKeyIdentifier(ski),
      authorityKeyIdentifier(aki),
    ],
  });
}

export interface LeafInput {
  readonly store: PkiKeyStore;
  readonly issuer: IssuerRef;
  readonly profile: Profile;
  /** Upper bound on validity days for this profile (policy), default profile.maxDays. */
  readonly maxDays?: number;
  readonly publicKey: Uint8Array;
  readonly request: ProfileRequest;
  readonly now: Date;
  readonly serial: string;
}

/** An end-entity certificate: the profile validates the request and sets the extensions. */
export async function issueLeafCertificate(input: LeafInput): Promise<X509Certificate> {
  const { profile, request } = input;
  const key = describePublicKey(input.publicKey);
  const maxDays = input.maxDays ?? profile.maxDays;
  const days = request.validityDays ?? Math.min(profile.defaultDays, maxDays);
  const issues = [
    ...subjectIssues(request.subject),
    ...daysIssues(days, 1, maxDays, 'validityDays'),
  ];
  if (issues.length === 0) issues.push(...profile.validate(request, key));
  failOn(`${profile.name} request`, issues);

  const { notBefore, notAfter } = windowFrom(input.now, days);
  checkWithinCa(issuerWindow(input.issuer), notBefore, notAfter);
  const ski = await keyIdentifier(input.publicKey);
  const aki = await keyIdentifier(new Uint8Array(input.issuer.certificate.publicKey.rawData));
  return buildCertificate({
    store: input.store,
    signingKey: input.issuer,
    issuer: input.issuer.certificate.subjectName,
    subject: toJsonName(request.subject),
    publicKey: input.publicKey,
    serial: input.serial,
    notBefore,
    notAfter,
    extensions: [
      basicConstraints(false),
      ...profile.extensions({ request, key, notBefore, notAfter }),
      subjectKeyIdentifier(ski),
      authorityKeyIdentifier(aki),
    ],
  });
}

function issuerWindow(issuer: IssuerRef) {
  return {
    name: issuer.name,
    notBefore: issuer.certificate.notBefore,
    notAfter: issuer.certificate.notAfter,
  };
}

function daysIssues(days: number, min: number, max: number, path = 'days'): FieldIssue[] {
  return Number.isInteger(days) && days >= min && days <= max
    ? []
    : [{ path, problem: `must be a whole number of days from ${min} to ${max}, got ${days}` }];
}

function failOn(what: string, issues: readonly FieldIssue[]): void {
  if (issues.length === 0) return;
  throw new PkiError(
    'PROFILE_VIOLATION',
    `${what} refused: ${issues.map((i) => `${i.path} ${i.problem}`).join('; ')}`,
    { details: { issues } },
  );
}
