import {
  fromDbBigint,
  fromDbBytes,
  fromDbJson,
  fromDbTimestamp,
  toDbBytes,
  toDbTimestamp,
} from '@cairn/db';
import type { Selectable } from '@cairn/db';
import { canonicalJson } from '../canonical-json.js';
import type { JsonValue } from '../canonical-json.js';
import type { AuditTable } from '../schema.js';
import type { AuditDecision, AuditRecord, AuditRecordInput, AuthMethod } from './record.js';

/** The row stored for record `seq`. */
export function auditRow(seq: number, r: AuditRecordInput, hash: Uint8Array): AuditTable {
  return {
    seq: BigInt(seq),
    time: toDbTimestamp(r.time),
    actor: r.actor,
    auth_method: r.authMethod,
    client_address: r.clientAddress,
    action: r.action,
    worker: r.worker ?? null,
    key_label: r.keyLabel ?? null,
    request_digest: r.requestDigest ?? null,
    response_digest: r.responseDigest ?? null,
    decision: r.decision,
    reason: r.reason ?? null,
    details: r.details === undefined ? null : canonicalJson(r.details),
    hash: toDbBytes(hash),
  };
}

/**
 * A stored row read back as a record. Values are taken as stored (no enum checks), so
 * that an edited row still decodes and is then caught by its hash. Throws DbError
 * (DB_BAD_VALUE) when a column cannot be decoded at all.
 */
export function recordFromRow(row: Selectable<AuditTable>): AuditRecord {
  const seq = fromDbBigint(row.seq);
  const record = {
    seq: Number(seq),
    time: fromDbTimestamp(row.time),
    actor: row.actor,
    authMethod: row.auth_method as AuthMethod,
    clientAddress: row.client_address,
    action: row.action,
    decision: row.decision as AuditDecision,
    hash: fromDbBytes(row.hash),
    ...(row.worker === null ? {} : { worker: row.worker }),
    ...(row.key_label === null ? {} : { keyLabel: row.key_label }),
    ...(row.request_digest === null ? {} : { requestDigest: row.request_digest }),
    ...(row.response_digest === null ? {} : { responseDigest: row.response_digest }),
    ...(row.reason === null ? {} : { reason: row.reason }),
    ...(row.details === null ? {} : { details: fromDbJson(row.details) as JsonValue }),
  };
  return record;
}
