import 'reflect-metadata';
import type { FieldIssue } from '@cairn/core';
import { ExtendedKeyUsageExtension, KeyUsageFlags } from '@peculiar/x509';
import { OID } from '../x509/oids.js';
import { keyUsage, privateKeyUsagePeriod } from '../x509/extensions.js';
import type { Profile, ProfileName, ProfileRequest } from './profile.js';
import { sanExtension, sanIssues } from './san.js';

/** hawkBit-compatible controller / device IDs. */
const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

function noSan(request: ProfileRequest, profile: ProfileName): FieldIssue[] {
  const n = (request.san?.dns?.length ?? 0) + (request.san?.ip?.length ?? 0);
  return n > 0 ? [{ path: 'san', problem: `is not allowed in the ${profile} profile` }] : [];
}

/**
 * code-signing: firmware signing keys. keyUsage digitalSignature (critical), EKU
 * codeSigning, privateKeyUsagePeriod = the validity window; 1 year by default.
 */
const codeSigning: Profile = {
  name: 'code-signing',
  defaultDays: 365,
  maxDays: 3 * 365,
  validate: (request) => noSan(request, 'code-signing'),
  extensions: ({ notBefore, notAfter }) => [
    keyUsage(KeyUsageFlags.digitalSignature),
    new ExtendedKeyUsageExtension([OID.codeSigning], false),
    privateKeyUsagePeriod(notBefore, notAfter),
  ],
};

/**
 * device: a device's identity towards the update server (mTLS client). Subject CN is the
 * device/controller ID. digitalSignature (+keyAgreement for EC keys), EKU clientAuth.
 */
const device: Profile = {
  name: 'device',
  defaultDays: 5 * 365,
  maxDays: 20 * 365,
  validate(request) {
    const issues = noSan(request, 'device');
    const cn = request.subject.commonName;
    if (typeof cn === 'string' && !DEVICE_ID.test(cn)) {
      issues.push({
        path: 'subject.commonName',
        problem: `'${cn}' is not a device ID (1-64 of A-Z a-z 0-9 . _ : -, starting alphanumeric)`,
      });
    }
    return issues;
  },
  extensions: ({ key }) => [
    key.kind === 'ec'
      ? keyUsage(KeyUsageFlags.digitalSignature, KeyUsageFlags.keyAgreement)
      : keyUsage(KeyUsageFlags.digitalSignature),
    new ExtendedKeyUsageExtension([OID.clientAuth], false),
  ],
};

/** tls-server: serverAuth, SAN DNS/IP required; ≤ 398 days (CA/Browser Forum). */
const tlsServer: Profile = {
  name: 'tls-server',
  defaultDays: 90,
  maxDays: 398,
  validate: (request) => sanIssues(request.san, true),
  extensions: ({ key, request }) => [
    key.kind === 'rsa'
      ? keyUsage(KeyUsageFlags.digitalSignature, KeyUsageFlags.keyEncipherment)
      : keyUsage(KeyUsageFlags.digitalSignature),
    new ExtendedKeyUsageExtension([OID.serverAuth], false),
    sanExtension(request.san ?? {}),
  ],
};

/** log: signs transparency/audit log checkpoints; EKU Cairn log signing (see oids.ts). */
const log: Profile = {
  name: 'log',
  defaultDays: 2 * 365,
  maxDays: 5 * 365,
  validate: (request) => noSan(request, 'log'),
  extensions: () => [
    keyUsage(KeyUsageFlags.digitalSignature),
    new ExtendedKeyUsageExtension([OID.cairnLogSigning], false),
  ],
};

export const PROFILES: Readonly<Record<ProfileName, Profile>> = Object.freeze({
  'code-signing': codeSigning,
  device,
  'tls-server': tlsServer,
  log,
});
