import { generateNoteKey, noteSignerFromKey, noteVerifierFromKey } from '@cairn/core';
import type { NoteVerifier } from '@cairn/core';
import type { Database } from '@cairn/db';
import { Ledger } from '@cairn/ledger';
import type { AuditRecordInput, LedgerOptions } from '@cairn/ledger';

export const TLOG_ORIGIN = 'cairn.example/tlog';
export const AUDIT_ORIGIN = 'cairn.example/audit';

/** Fresh software note keys for both logs (the HSM path has its own test). */
export function testKeys(): {
  tlogSigner: string;
  tlogVerifier: NoteVerifier;
  auditSigner: string;
  auditVerifier: NoteVerifier;
  auditVkey: string;
} {
  const t = generateNoteKey(TLOG_ORIGIN);
  const a = generateNoteKey(AUDIT_ORIGIN);
  return {
    tlogSigner: t.signerKey,
    tlogVerifier: noteVerifierFromKey(t.verifierKey),
    auditSigner: a.signerKey,
    auditVerifier: noteVerifierFromKey(a.verifierKey),
    auditVkey: a.verifierKey,
  };
}

export type TestKeys = ReturnType<typeof testKeys>;

export function openLedger(
  db: Database,
  keys: TestKeys,
  extra: Partial<Omit<LedgerOptions, 'db' | 'transparency' | 'audit'>> = {},
): Promise<Ledger> {
  return Ledger.open({
    db,
    transparency: { signer: noteSignerFromKey(keys.tlogSigner) },
    audit: { signer: noteSignerFromKey(keys.auditSigner) },
    checkpointIntervalMs: 0,
    ...extra,
  });
}

/** A plausible audit record, varied by `n`. */
export function sampleRecord(
  n: number,
  overrides: Partial<AuditRecordInput> = {},
): AuditRecordInput {
  return {
    time: new Date(Date.UTC(2025, 0, 1, 0, 0, n % 60, n % 1000)),
    actor: `user-${n % 7}`,
    authMethod: n % 3 === 0 ? 'mtls' : 'token',
    clientAddress: `10.0.0.${n % 250}`,
    action: n % 5 === 0 ? 'approve' : 'sign',
    worker: 'fw-prod',
    keyLabel: 'fw-key',
    requestDigest: `sha256:${n.toString(16).padStart(64, '0')}`,
    decision: n % 11 === 0 ? 'denied' : 'allowed',
    ...(n % 11 === 0
      ? { reason: 'quota exceeded' }
      : { responseDigest: `sha256:${'ab'.repeat(32)}` }),
    details: { n, tags: ['a', 'é'], nested: { z: 1, a: [true, null, 1.5] } },
    ...overrides,
  };
}

export function entry(n: number): Uint8Array {
  return new TextEncoder().encode(`signed-envelope-${n}`);
}
