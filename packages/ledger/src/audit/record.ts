/**
 * Audit records: the input shape, boundary validation, the canonical encoding that is
 * hashed, and the chain step hash_i = SHA-256(hash_{i-1} ‖ canonical(record_i)).
 */
import { hash } from 'node:crypto';
import { ValidationError } from '@cairn/core';
import type { FieldIssue } from '@cairn/core';
import { canonicalJson, isWellFormed } from '../canonical-json.js';
import type { JsonValue } from '../canonical-json.js';

export type AuthMethod = 'token' | 'mtls' | 'none';
export type AuditDecision = 'allowed' | 'denied' | 'failed';

/** One request as the audit log records it (allowed, denied or failed). */
export interface AuditRecordInput {
  readonly time: Date;
  /** Principal id of the caller ('anonymous' when unauthenticated). */
  readonly actor: string;
  readonly authMethod: AuthMethod;
  readonly clientAddress: string;
  /** What was asked, e.g. 'sign', 'approve', 'worker.create'. */
  readonly action: string;
  readonly worker?: string;
  readonly keyLabel?: string;
  readonly requestDigest?: string;
  readonly responseDigest?: string;
  readonly decision: AuditDecision;
  readonly reason?: string;
  readonly details?: JsonValue;
}

/** A stored record: its sequence number and chain hash. */
export interface AuditRecord extends AuditRecordInput {
  readonly seq: number;
  /** SHA-256(previous hash ‖ canonical encoding of this record). */
  readonly hash: Uint8Array;
}

export const AUTH_METHODS: readonly AuthMethod[] = ['token', 'mtls', 'none'];
export const AUDIT_DECISIONS: readonly AuditDecision[] = ['allowed', 'denied', 'failed'];
/** Caps on record fields (bytes of UTF-8 for strings, canonical JSON for details). */
export const AUDIT_LIMITS = Object.freeze({
  shortText: 256,
  reason: 4096,
  details: 64 * 1024,
});

const ACTION_RE = /^[a-z][a-z0-9_.:-]{0,127}$/;
const OPTIONAL_TEXT = ['worker', 'keyLabel', 'requestDigest', 'responseDigest'] as const;

/** Check a record at the boundary; throws ValidationError naming every bad field. */
export function assertAuditRecord(input: unknown): asserts input is AuditRecordInput {
  const issues: FieldIssue[] = [];
  if (typeof input !== 'object' || input === null) {
    throw new ValidationError('audit record', [{ path: '', problem: 'must be an object' }]);
  }
  const r = input as Record<string, unknown>;
  const time = r['time'];
  if (!(time instanceof Date) || Number.isNaN(time.getTime())) {
    issues.push({ path: 'time', problem: 'must be a valid Date' });
  } else if (time.getUTCFullYear() < 0 || time.getUTCFullYear() > 9999) {
    issues.push({ path: 'time', problem: 'must be in the years 0000-9999' });
  }
  text(issues, r, 'actor', AUDIT_LIMITS.shortText, true);
  text(issues, r, 'clientAddress', AUDIT_LIMITS.shortText, false);
  if (!AUTH_METHODS.includes(r['authMethod'] as AuthMethod)) {
    issues.push({ path: 'authMethod', problem: `must be one of ${AUTH_METHODS.join(', ')}` });
  }
  if (typeof r['action'] !== 'string' || !ACTION_RE.test(r['action'])) {
    issues.push({
      path: 'action',
      problem: 'must be 1-128 characters of a-z 0-9 _ . : - starting with a letter',
    });
  }
  if (!AUDIT_DECISIONS.includes(r['decision'] as AuditDecision)) {
    issues.push({ path: 'decision', problem: `must be one of ${AUDIT_DECISIONS.join(', ')}` });
  }
  for (const f of OPTIONAL_TEXT) {
    if (r[f] !== undefined) text(issues, r, f, AUDIT_LIMITS.shortText, true);
  }
  if (r['reason'] !== undefined) text(issues, r, 'reason', AUDIT_LIMITS.reason, false);
  if (r['details'] !== undefined) {
    try {
      const json = canonicalJson(r['details']);
      if (Buffer.byteLength(json) > AUDIT_LIMITS.details) {
        issues.push({
          path: 'details',
          problem: `must be at most ${AUDIT_LIMITS.details} bytes of JSON`,
        });
      }
    } catch (err) {
      issues.push({ path: 'details', problem: `must be plain JSON: ${(err as Error).message}` });
    }
  }
  if (issues.length > 0) throw new ValidationError('audit record', issues);
}

function text(
  issues: FieldIssue[],
  r: Record<string, unknown>,
  key: string,
  max: number,
  nonEmpty: boolean,
): void {
  const v = r[key];
  if (typeof v !== 'string') {
    issues.push({ path: key, problem: 'must be a string' });
  } else if (nonEmpty && v === '') {
    issues.push({ path: key, problem: 'must not be empty' });
  } else if (Buffer.byteLength(v) > max) {
    issues.push({ path: key, problem: `must be at most ${max} bytes` });
  } else if (!isWellFormed(v)) {
    issues.push({ path: key, problem: 'must not contain U+0000 or lone surrogates' });
  }
}

/**
 * The bytes that are hashed for record `seq`: canonical JSON of
 * { seq, time (ISO-8601 UTC, ms), actor, authMethod, clientAddress, action, decision,
 *   and worker, keyLabel, requestDigest, responseDigest, reason, details when present }.
 */
export function encodeAuditRecord(seq: number, r: AuditRecordInput): Uint8Array {
  const body: Record<string, unknown> = {
    seq,
    time: r.time.toISOString(),
    actor: r.actor,
    authMethod: r.authMethod,
    clientAddress: r.clientAddress,
    action: r.action,
    decision: r.decision,
    worker: r.worker,
    keyLabel: r.keyLabel,
    requestDigest: r.requestDigest,
    responseDigest: r.responseDigest,
    reason: r.reason,
    details: r.details,
  };
  return new TextEncoder().encode(canonicalJson(body));
}

/** hash_i = SHA-256(prev ‖ encodeAuditRecord(seq, record)). */
export function chainHash(prev: Uint8Array, seq: number, r: AuditRecordInput): Uint8Array {
  const record = encodeAuditRecord(seq, r);
  const input = Buffer.allocUnsafe(prev.length + record.length);
  input.set(prev);
  input.set(record, prev.length);
  // one-shot crypto.hash over one buffer: cheaper than a Hash object with two updates
  const h = hash('sha256', input, 'buffer');
  return new Uint8Array(h.buffer, h.byteOffset, h.byteLength);
}
