/** The hash-chained audit log: appends through group commit, reads, checkpoints. */
import { fromDbBigint, fromDbBytes } from '@cairn/db';
import type { Kysely } from '@cairn/db';
import type { Checkpointer, StoredCheckpoint } from '../checkpoints.js';
import type { LedgerTables } from '../schema.js';
import { notALedger } from '../tlog/transparency-log.js';
import type { AuditAppended, LedgerOp, LedgerOpResult } from '../writer.js';
import { assertAuditRecord } from './record.js';
import type { AuditRecord, AuditRecordInput } from './record.js';
import { assertReadRange } from '../read-range.js';
import { recordFromRow } from './rows.js';

/** Most records `records()` returns per call. */
export const MAX_RECORDS_PER_READ = 1000;

export interface AuditLogDeps {
  readonly db: Kysely<LedgerTables>;
  readonly submit: (op: LedgerOp) => Promise<LedgerOpResult>;
  readonly checkpointer: Checkpointer;
}

/** Made by `Ledger.open`; appends go through the ledger's group commit. */
export class AuditLog {
  readonly #d: AuditLogDeps;

  constructor(deps: AuditLogDeps) {
    this.#d = deps;
  }

  get origin(): string {
    return this.#d.checkpointer.origin;
  }

  /** Append one record; resolves with its seq and hash once durably committed. */
  async append(record: AuditRecordInput): Promise<AuditAppended> {
    assertAuditRecord(record);
    return (await this.#d.submit({ audit: record })).audit!;
  }

  /** Number of records and the chain head (32 zero bytes for the empty log). */
  async head(): Promise<{ size: number; head: Uint8Array }> {
    const row = await this.#d.db
      .selectFrom('ledger_logs')
      .select(['size', 'head'])
      .where('name', '=', 'audit')
      .executeTakeFirst();
    if (row === undefined) throw notALedger();
    return { size: Number(fromDbBigint(row.size)), head: fromDbBytes(row.head) };
  }

  /** Records [start, end), at most MAX_RECORDS_PER_READ. */
  async records(start: number, end: number): Promise<AuditRecord[]> {
    const { size } = await this.head();
    assertReadRange(start, end, size, MAX_RECORDS_PER_READ, {
      items: 'records',
      log: 'the audit log',
    });
    const rows = await this.#d.db
      .selectFrom('ledger_audit')
      .selectAll()
      .where('seq', '>=', BigInt(start))
      .where('seq', '<', BigInt(end))
      .orderBy('seq')
      .execute();
    return rows.map(recordFromRow);
  }

  /** Sign (if the log grew) and return the latest checkpoint. */
  checkpoint(): Promise<StoredCheckpoint> {
    return this.#d.checkpointer.checkpoint();
  }

  /** A fresh checkpoint's note text, for safekeeping outside this database. */
  async exportCheckpoint(): Promise<string> {
    return (await this.checkpoint()).note;
  }

  latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.#d.checkpointer.latest();
  }

  checkpoints(): Promise<StoredCheckpoint[]> {
    return this.#d.checkpointer.list();
  }

  maybeCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.#d.checkpointer.maybeCheckpoint();
  }
}
