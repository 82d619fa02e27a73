import 'reflect-metadata';
import type { FieldIssue } from '@cairn/core';
import type { JsonName } from '@peculiar/x509';

/** A certificate subject; the PKI writes only these attributes. */
export interface SubjectInput {
  readonly commonName: string;
  readonly organization?: string;
  readonly organizationalUnit?: string;
  /** ISO 3166 two-letter code. */
  readonly country?: string;
}

// X.520 upper bounds (RFC 5280 Appendix A).
const MAX = { commonName: 64, organization: 64, organizationalUnit: 64 } as const;
// eslint-disable-next-line no-control-regex -- rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Every problem with a subject, as field issues under `path`. */
export function subjectIssues(s: SubjectInput | undefined, path = 'subject'): FieldIssue[] {
  if (s === undefined || typeof s !== 'object') return [{ path, problem: 'is required' }];
  const issues: FieldIssue[] = [];
  for (const key of ['commonName', 'organization', 'organizationalUnit'] as const) {
    const v = s[key];
    if (v === undefined && key !== 'commonName') continue;
    if (typeof v !== 'string' || v.trim() === '') {
      issues.push({ path: `${path}.${key}`, problem: 'must be a non-empty string' });
    } else if (v.length > MAX[key]) {
      issues.push({ path: `${path}.${key}`, problem: `is longer than ${MAX[key]} characters` });
    } else if (CONTROL.test(v)) {
      issues.push({ path: `${path}.${key}`, problem: 'contains control characters' });
    }
  }
  if (s.country !== undefined && !/^[A-Z]{2}$/.test(s.country)) {
    issues.push({ path: `${path}.country`, problem: 'must be two upper-case letters (ISO 3166)' });
  }
  return issues;
}

/** The subject as @peculiar/x509's JSON name, most significant RDN first. */
export function toJsonName(s: SubjectInput): JsonName {
  const rdns: JsonName = [];
  if (s.country !== undefined) rdns.push({ C: [s.country] });
  if (s.organization !== undefined) rdns.push({ O: [s.organization] });
  if (s.organizationalUnit !== undefined) rdns.push({ OU: [s.organizationalUnit] });
  rdns.push({ CN: [s.commonName] });
  return rdns;
}

/**
 * Parse a simple DN string `CN=x,O=y,OU=z,C=DE` (or a bare name, taken as CN). No
 * escaping: a value cannot hold a comma or '='. Returns undefined when it cannot parse.
 */
export function parseSubject(text: string): SubjectInput | undefined {
  if (!text.includes('=')) return { commonName: text.trim() };
  const out: {
    commonName?: string;
    organization?: string;
    organizationalUnit?: string;
    country?: string;
  } = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || part.indexOf('=', eq + 1) !== -1) return undefined;
    const key = part.slice(0, eq).trim().toUpperCase();
    const value = part.slice(eq + 1).trim();
    const field = (
      { CN: 'commonName', O: 'organization', OU: 'organizationalUnit', C: 'country' } as const
    )[key as 'CN' | 'O' | 'OU' | 'C'] as
      'commonName' | 'organization' | 'organizationalUnit' | 'country' | undefined;
    if (field === undefined || out[field] !== undefined) return undefined;
    out[field] = value;
  }
  if (out.commonName === undefined) return undefined;
  return { ...out, commonName: out.commonName };
}
