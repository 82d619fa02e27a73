import { BaseError } from '@cairn/core';

/**
 * Why a ledger operation was refused or failed.
 * - `ENTRY_TOO_LARGE`: a log entry or audit field is bigger than its cap.
 * - `NOT_FOUND`: no log entry with that index or leaf hash; no checkpoint yet.
 * - `INDEX_OUT_OF_RANGE`: an index, size or range lies outside the current tree.
 * - `RANGE_TOO_LARGE`: more entries were asked for than one call returns.
 * - `CLOSED`: the ledger was used after close().
 * - `NOT_A_LEDGER`: the database holds no ledger tables (run Ledger.open on it first).
 * - `STORE_CORRUPT`: a stored value the ledger needs is missing or malformed.
 * - `SIGNER_INVALID`: a checkpoint signer's key name does not fit the log's origin.
 */
export type LedgerErrorCode =
  | 'ENTRY_TOO_LARGE'
  | 'NOT_FOUND'
  | 'INDEX_OUT_OF_RANGE'
  | 'RANGE_TOO_LARGE'
  | 'CLOSED'
  | 'NOT_A_LEDGER'
  | 'STORE_CORRUPT'
  | 'SIGNER_INVALID';

export class LedgerError extends BaseError<LedgerErrorCode> {}

/**
 * What `verifyAuditLog` found wrong; `details.seq` names the first bad record.
 * - `RECORD_MALFORMED`: a stored record cannot be read (bad column value).
 * - `RECORD_EDITED`: the record's content no longer matches its hash, while its hash
 *   still chains to the next record (its fields were changed after it was written).
 * - `RECORD_MISSING`: a sequence number is missing (deleted; renumbered deletions too).
 * - `RECORD_INSERTED`: a record that was never appended sits in the chain.
 * - `RECORD_REORDERED`: a record is stored at another position than it was appended at.
 * - `CHAIN_BROKEN`: the record's hash does not follow from its predecessor and content,
 *   and no simpler explanation fits (edited and re-hashed, or several changes).
 * - `LOG_TRUNCATED`: the log is shorter than a previously exported checkpoint.
 * - `CHECKPOINT_MISMATCH`: the record at a checkpoint's size does not have the
 *   checkpoint's head hash (history was rewritten after the checkpoint).
 * - `CHECKPOINT_INVALID`: a checkpoint note is malformed, of another log, or its
 *   signature does not verify with the log key.
 * - `STATE_MISMATCH`: the stored log size/head disagree with the records.
 */
export type AuditVerifyErrorCode =
  | 'RECORD_MALFORMED'
  | 'RECORD_EDITED'
  | 'RECORD_MISSING'
  | 'RECORD_INSERTED'
  | 'RECORD_REORDERED'
  | 'CHAIN_BROKEN'
  | 'LOG_TRUNCATED'
  | 'CHECKPOINT_MISMATCH'
  | 'CHECKPOINT_INVALID'
  | 'STATE_MISMATCH';

export class AuditVerifyError extends BaseError<AuditVerifyErrorCode> {
  /** The first bad record's sequence number, when one record is to blame. */
  get seq(): number | undefined {
    const s = this.details?.['seq'];
    return typeof s === 'number' ? s : undefined;
  }
}

/**
 * What `verifyTransparencyLog` found wrong; `details` names the leaf or node.
 * - `LEAF_MISSING`: leaf indices are not 0..size-1 without gaps.
 * - `LEAF_HASH_MISMATCH`: a leaf's stored hash is not the RFC 6962 hash of its data.
 * - `NODE_MISSING` / `NODE_MISMATCH` / `NODE_EXTRA`: a stored subtree hash is absent,
 *   differs from the one recomputed from the leaves, or should not exist.
 * - `CHECKPOINT_MISMATCH`: a stored checkpoint's root differs from the recomputed root.
 * - `CHECKPOINT_INVALID`: a stored checkpoint note is malformed or badly signed.
 * - `STATE_MISMATCH`: the stored tree size disagrees with the leaves.
 */
export type TlogVerifyErrorCode =
  | 'LEAF_MISSING'
  | 'LEAF_HASH_MISMATCH'
  | 'NODE_MISSING'
  | 'NODE_MISMATCH'
  | 'NODE_EXTRA'
  | 'CHECKPOINT_MISMATCH'
  | 'CHECKPOINT_INVALID'
  | 'STATE_MISMATCH';

export class TlogVerifyError extends BaseError<TlogVerifyErrorCode> {}
