import 'reflect-metadata';
import { isIP } from 'node:net';
import type { FieldIssue } from '@cairn/core';
import { SubjectAlternativeNameExtension, type Extension } from '@peculiar/x509';
import type { SanInput } from './profile.js';

export const MAX_SAN_ENTRIES = 100;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/** A DNS name of LDH labels (a leading `*.` wildcard allowed), ≤ 253 characters. */
export function isDnsName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  if (labels[0] === '*') labels.shift();
  return labels.length >= 1 && labels.every((l) => LABEL.test(l));
}

/** Every problem with the SAN list; `required` demands at least one name. */
export function sanIssues(san: SanInput | undefined, required: boolean): FieldIssue[] {
  const dns = san?.dns ?? [];
  const ip = san?.ip ?? [];
  const issues: FieldIssue[] = [];
  if (required && dns.length + ip.length === 0) {
    issues.push({ path: 'san', problem: 'needs at least one DNS name or IP address' });
  }
  if (dns.length + ip.length > MAX_SAN_ENTRIES) {
    issues.push({ path: 'san', problem: `has more than ${MAX_SAN_ENTRIES} entries` });
  }
  dns.forEach((d, i) => {
    if (!isDnsName(d)) issues.push({ path: `san.dns[${i}]`, problem: `'${d}' is not a DNS name` });
  });
  ip.forEach((a, i) => {
    if (isIP(a) === 0)
      issues.push({ path: `san.ip[${i}]`, problem: `'${a}' is not an IPv4/IPv6 address` });
  });
  return issues;
}

export function sanExtension(san: SanInput): Extension {
  return new SubjectAlternativeNameExtension(
    [
      ...(san.dns ?? []).map((value) => ({ type: 'dns' as const, value: value.toLowerCase() })),
      ...(san.ip ?? []).map((value) => ({ type: 'ip' as const, value })),
    ],
    false,
  );
}
