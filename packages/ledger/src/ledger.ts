/**
 * The Ledger: one database, one group-commit queue, the audit log and the
 * transparency log. `record({ audit, logEntry })` writes both in ONE transaction, so a
 * signature can be returned only after its audit record and log entry are durable.
 */
import { ValidationError } from '@cairn/core';
import type { NoteSigner } from '@cairn/core';
import type { Database, Kysely } from '@cairn/db';
import { AuditLog } from './audit/audit-log.js';
import { assertAuditRecord } from './audit/record.js';
import type { AuditRecordInput } from './audit/record.js';
import { Checkpointer } from './checkpoints.js';
import type { StoredCheckpoint } from './checkpoints.js';
import { LedgerError } from './errors.js';
import { GroupCommitter } from './group-commit.js';
import { LEDGER_MIGRATIONS, LEDGER_NAMESPACE } from './schema.js';
import type { LedgerTables } from './schema.js';
import { rangeHashes } from './tlog/tree-store.js';
import { checkEntry, TransparencyLog } from './tlog/transparency-log.js';
import { LedgerWriter } from './writer.js';
import type { AuditAppended, EntryAppended, LedgerOp, LedgerOpResult } from './writer.js';

export interface LogKeyOptions {
  /** Signs the log's checkpoints (e.g. noteSignerFromSigner over an HSM Ed25519 key). */
  readonly signer: NoteSigner;
  /** Checkpoint origin line; defaults to the signer's key name. */
  readonly origin?: string;
}

export interface TransparencyLogOptions extends LogKeyOptions {
  /**
   * Sign and store a checkpoint of the new tree in every group-commit batch that
   * appends log entries, inside the batch's transaction (no second commit), and
   * return it with each entry: `record()` → `RecordResult.checkpoint`,
   * `transparency.append()` → `EntryAppended.checkpoint`. Costs one signature (the
   * signer is awaited while the batch holds the log's write lock) and one ~0.3 KB row
   * per batch. Default false.
   */
  readonly checkpointEachBatch?: boolean;
}

export interface LedgerOptions {
  /** The caller owns the database: Ledger.close() does not close it. */
  readonly db: Database;
  readonly transparency: TransparencyLogOptions;
  readonly audit: LogKeyOptions;
  /** Make checkpoints of a grown log this often (unref'd timer). 0: only on demand. Default 60 000. */
  readonly checkpointIntervalMs?: number;
  /** Cap on one log entry. Default 1 MiB. */
  readonly maxEntryBytes?: number;
  /** Most operations per transaction. Default 1000. */
  readonly maxBatch?: number;
  readonly clock?: () => Date;
  /** Receives errors of periodic checkpointing. Default: process.emitWarning. */
  readonly onBackgroundError?: (err: unknown) => void;
}

export interface RecordInput {
  readonly audit: AuditRecordInput;
  readonly logEntry?: Uint8Array;
}

export interface RecordResult {
  readonly audit: AuditAppended;
  readonly entry?: EntryAppended;
  /**
   * With `transparency.checkpointEachBatch` and a log entry: the signed checkpoint
   * committed with it (the smallest covering a new entry); same as `entry.checkpoint`.
   */
  readonly checkpoint?: StoredCheckpoint;
}

export const LEDGER_DEFAULTS = Object.freeze({
  checkpointIntervalMs: 60_000,
  maxEntryBytes: 1024 * 1024,
  maxBatch: 1000,
  maxBatchBytes: 16 * 1024 * 1024,
});

export class Ledger {
  readonly transparency: TransparencyLog;
  readonly audit: AuditLog;
  readonly #committer: GroupCommitter<LedgerOp, LedgerOpResult>;
  readonly #maxEntryBytes: number;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(options: LedgerOptions) {
    const kysely: Kysely<LedgerTables> = options.db.typed<LedgerTables>();
    const clock = options.clock ?? (() => new Date());
    const intervalMs = options.checkpointIntervalMs ?? LEDGER_DEFAULTS.checkpointIntervalMs;
    this.#maxEntryBytes = options.maxEntryBytes ?? LEDGER_DEFAULTS.maxEntryBytes;
    const tlogOrigin = options.transparency.origin ?? options.transparency.signer.name;
    const writer = new LedgerWriter(
      options.db,
      options.transparency.checkpointEachBatch === true
        ? { origin: tlogOrigin, signer: options.transparency.signer, clock }
        : undefined,
    );
    this.#committer = new GroupCommitter((ops) => writer.commit(ops), {
      maxItems: options.maxBatch ?? LEDGER_DEFAULTS.maxBatch,
      maxWeight: LEDGER_DEFAULTS.maxBatchBytes,
      weight: (op) => 512 + (op.entry?.length ?? 0),
    });
    const submit = (op: LedgerOp): Promise<LedgerOpResult> => {
      if (this.#closed) {
        return Promise.reject(new LedgerError('CLOSED', 'the ledger was used after close()'));
      }
      return this.#committer.submit(op);
    };
    this.transparency = new TransparencyLog({
      db: kysely,
      submit,
      maxEntryBytes: this.#maxEntryBytes,
      checkpointer: new Checkpointer({
        db: kysely,
        log: 'tlog',
        origin: tlogOrigin,
        signer: options.transparency.signer,
        clock,
        intervalMs,
        head: async () => {
          const size = await this.transparency.size();
          const [root] = await rangeHashes(kysely, [{ start: 0, end: size }]);
          return { size, root: root! };
        },
      }),
    });
    this.audit = new AuditLog({
      db: kysely,
      submit,
      checkpointer: new Checkpointer({
        db: kysely,
        log: 'audit',
        origin: options.audit.origin ?? options.audit.signer.name,
        signer: options.audit.signer,
        clock,
        intervalMs,
        head: async () => {
          const { size, head } = await this.audit.head();
          return { size, root: head };
        },
      }),
    });
    if (intervalMs > 0) {
      const onError =
        options.onBackgroundError ??
        ((err: unknown) => {
          process.emitWarning(`cairn ledger: periodic checkpoint failed: ${String(err)}`);
        });
      this.#timer = setInterval(() => {
        this.maybeCheckpoint().catch(onError);
      }, intervalMs);
      this.#timer.unref();
    }
  }

  /** Apply the ledger migrations (namespace 'ledger') and open the ledger. */
  static async open(options: LedgerOptions): Promise<Ledger> {
    assertOptions(options);
    await options.db.migrate(LEDGER_NAMESPACE, LEDGER_MIGRATIONS);
    return new Ledger(options);
  }

  /**
   * Append an audit record and, optionally, a transparency-log entry in one
   * transaction; resolves once both are durable.
   */
  async record(input: RecordInput): Promise<RecordResult> {
    assertAuditRecord(input.audit);
    if (input.logEntry !== undefined) checkEntry(input.logEntry, this.#maxEntryBytes);
    if (this.#closed) throw new LedgerError('CLOSED', 'the ledger was used after close()');
    const op: LedgerOp =
      input.logEntry === undefined
        ? { audit: input.audit }
        : { audit: input.audit, entry: input.logEntry };
    const out = await this.#committer.submit(op);
    if (out.entry === undefined) return { audit: out.audit! };
    return out.entry.checkpoint === undefined
      ? { audit: out.audit!, entry: out.entry }
      : { audit: out.audit!, entry: out.entry, checkpoint: out.entry.checkpoint };
  }

  /** Checkpoint both logs if due (what the periodic timer runs). */
  async maybeCheckpoint(): Promise<void> {
    await this.transparency.maybeCheckpoint();
    await this.audit.maybeCheckpoint();
  }

  /** Batches and operations committed so far (for monitoring and benchmarks). */
  stats(): { batches: number; operations: number } {
    const s = this.#committer.stats();
    return { batches: s.batches, operations: s.items };
  }

  /** Stop the timer and wait for queued appends to commit. Does not close the database. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#committer.idle();
  }
}

function assertOptions(o: LedgerOptions): void {
  const issues: { path: string; problem: string }[] = [];
  const nonNeg = (path: string, v: number | undefined, max: number): void => {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0 || v > max)) {
      issues.push({ path, problem: `must be an integer from 0 to ${max}` });
    }
  };
  nonNeg('checkpointIntervalMs', o.checkpointIntervalMs, 2 ** 31 - 1);
  nonNeg('maxEntryBytes', o.maxEntryBytes, 64 * 1024 * 1024);
  nonNeg('maxBatch', o.maxBatch, 10_000);
  const each: unknown = (o.transparency as TransparencyLogOptions | undefined)?.checkpointEachBatch;
  if (each !== undefined && typeof each !== 'boolean') {
    issues.push({ path: 'transparency.checkpointEachBatch', problem: 'must be a boolean' });
  }
  if (o.maxBatch === 0) issues.push({ path: 'maxBatch', problem: 'must be at least 1' });
  for (const k of ['transparency', 'audit'] as const) {
    const s: unknown = (o[k] as LogKeyOptions | undefined)?.signer;
    if (typeof s !== 'object' || s === null || typeof (s as NoteSigner).sign !== 'function') {
      issues.push({ path: `${k}.signer`, problem: 'must be a NoteSigner' });
    }
  }
  if (issues.length > 0) throw new ValidationError('ledger options', issues);
}
