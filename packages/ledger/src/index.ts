// @cairn/ledger public API. Explicit named exports only (no `export *`).
export { Ledger, LEDGER_DEFAULTS } from './ledger.js';
export type {
  LedgerOptions,
  LogKeyOptions,
  RecordInput,
  RecordResult,
  TransparencyLogOptions,
} from './ledger.js';
export { TransparencyLog, MAX_ENTRIES_PER_READ } from './tlog/transparency-log.js';
export type {
  ConsistencyProofResult,
  InclusionProofResult,
  LogEntry,
} from './tlog/transparency-log.js';
export { AuditLog, MAX_RECORDS_PER_READ } from './audit/audit-log.js';
export {
  AUDIT_DECISIONS,
  AUDIT_LIMITS,
  AUTH_METHODS,
  assertAuditRecord,
  chainHash,
  encodeAuditRecord,
} from './audit/record.js';
export type { AuditDecision, AuditRecord, AuditRecordInput, AuthMethod } from './audit/record.js';
export { verifyAuditLog } from './audit/verify.js';
export type { AuditVerification, VerifyAuditLogOptions } from './audit/verify.js';
export { verifyTransparencyLog } from './tlog/verify.js';
export type { TransparencyVerification, VerifyTransparencyLogOptions } from './tlog/verify.js';
export { latestCheckpoint, listCheckpoints } from './checkpoints.js';
export type { ListCheckpointsOptions, StoredCheckpoint } from './checkpoints.js';
export { canonicalJson } from './canonical-json.js';
export type { JsonValue } from './canonical-json.js';
export { GroupCommitter } from './group-commit.js';
export type { GroupCommitOptions } from './group-commit.js';
export type { AuditAppended, EntryAppended } from './writer.js';
export { GENESIS_HEAD, LEDGER_MIGRATIONS, LEDGER_NAMESPACE } from './schema.js';
export type { LedgerTables, LogName } from './schema.js';
export { AuditVerifyError, LedgerError, TlogVerifyError } from './errors.js';
export type { AuditVerifyErrorCode, LedgerErrorCode, TlogVerifyErrorCode } from './errors.js';
