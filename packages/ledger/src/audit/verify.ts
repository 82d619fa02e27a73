/**
 * Audit log verification: recompute the hash chain record by record, compare with
 * the stored state and with signed checkpoints, and name the FIRST bad record and
 * what happened to it (see AuditVerifyErrorCode).
 */
import { bytesEqualPublic } from '../bytes.js';
import { isCairnError } from '@cairn/core';
import type { NoteVerifier } from '@cairn/core';
import { fromDbBigint, fromDbBytes } from '@cairn/db';
import type { Database, Kysely } from '@cairn/db';
import { AuditVerifyError } from '../errors.js';
import { GENESIS_HEAD } from '../schema.js';
import type { LedgerTables } from '../schema.js';
import { notALedger } from '../tlog/transparency-log.js';
import { readCheckpoint } from '../verify-checkpoint.js';
import { SNAPSHOT } from '../snapshot.js';
import { chainHash } from './record.js';
import type { AuditRecord } from './record.js';
import { recordFromRow } from './rows.js';

export interface VerifyAuditLogOptions {
  /** Read records, state and stored checkpoints from this ledger database... */
  readonly db?: Database;
  /** ...or verify these records (in stored order). */
  readonly records?: readonly AuditRecord[];
  /** Checkpoint notes exported earlier and kept elsewhere (truncation detection). */
  readonly checkpoints?: readonly (string | Uint8Array)[];
  /** The audit log's note verifier; checkpoint signatures are checked when given. */
  readonly verifier?: NoteVerifier;
  /** Expected checkpoint origin (default: the verifier's key name). */
  readonly origin?: string;
}

export interface AuditVerification {
  readonly size: number;
  readonly head: Uint8Array;
  /** Checkpoints compared: exported ones given plus those stored in the database. */
  readonly checkpointsChecked: number;
  /** Whether checkpoint signatures were verified (a verifier was given). */
  readonly signaturesChecked: boolean;
}

const PAGE = 2000;

/** Verify an audit log; resolves with a summary or throws AuditVerifyError. */
export function verifyAuditLog(o: VerifyAuditLogOptions): Promise<AuditVerification> {
  // every read in one read-only snapshot: records a running service appends meanwhile
  // are not seen (and cannot look like tampering)
  if (o.db === undefined) return verifyAuditLogIn(undefined, o);
  return o.db.transaction<LedgerTables, AuditVerification>(
    (trx) => verifyAuditLogIn(trx, o),
    SNAPSHOT,
  );
}

async function verifyAuditLogIn(
  kysely: Kysely<LedgerTables> | undefined,
  o: VerifyAuditLogOptions,
): Promise<AuditVerification> {
  const source = sourceOf(o, kysely);
  const notes: { note: string | Uint8Array; from: string }[] = (o.checkpoints ?? []).map(
    (note, i) => ({ note, from: `exported checkpoint ${i + 1}` }),
  );
  let state: { size: number; head: Uint8Array } | undefined;
  if (kysely !== undefined) {
    state = await readState(kysely);
    const stored = await kysely
      .selectFrom('ledger_checkpoints')
      .select(['size', 'note'])
      .where('log', '=', 'audit')
      .orderBy('size')
      .execute();
    for (const r of stored) {
      notes.push({ note: r.note, from: `stored checkpoint of size ${fromDbBigint(r.size)}` });
    }
  }
  const checkpoints = notes.map(({ note, from }) => {
    const read = readCheckpoint(note, o);
    if ('problem' in read) {
      throw new AuditVerifyError('CHECKPOINT_INVALID', `${from} was refused: ${read.problem}`);
    }
    return { ...read.checkpoint, from };
  });
  const wanted = new Set(checkpoints.map((c) => c.size));
  const hashAt = new Map<number, Uint8Array>([[0, GENESIS_HEAD]]);

  // The chain, with one record of lookahead for diagnosis.
  let prev: Uint8Array = GENESIS_HEAD;
  let prev2: Uint8Array | undefined;
  let i = 0;
  const it = source()[Symbol.asyncIterator]();
  let cur = await it.next();
  while (cur.done !== true) {
    const nxt = await it.next();
    const rec = cur.value;
    const next = nxt.done === true ? undefined : nxt.value;
    if (rec.seq !== i || !bytesEqualPublic(chainHash(prev, i, rec), rec.hash)) {
      const lastHead = next === undefined ? state?.head : undefined;
      throw await diagnose(i, rec, next, prev, prev2, lastHead, source);
    }
    prev2 = prev;
    prev = rec.hash;
    i++;
    if (wanted.has(i)) hashAt.set(i, rec.hash);
    cur = nxt;
  }
  const size = i;

  if (state !== undefined) {
    if (state.size > size) {
      throw new AuditVerifyError(
        'LOG_TRUNCATED',
        `audit record ${size} and later were removed: the log ends at record ${size - 1} but its stored state says ${state.size} records were written`,
        { details: { seq: size, expected: state.size } },
      );
    }
    if (state.size !== size || !bytesEqualPublic(state.head, prev)) {
      throw new AuditVerifyError(
        'STATE_MISMATCH',
        `the stored audit state (size ${state.size}) does not match the records (size ${size}, head ${hex(prev)}); the ledger_logs row was altered`,
        { details: { size, stateSize: state.size } },
      );
    }
  }
  for (const cp of [...checkpoints].sort((a, b) => a.size - b.size)) {
    if (cp.size > size) {
      throw new AuditVerifyError(
        'LOG_TRUNCATED',
        `audit record ${size} and later were removed (truncated): the log has ${size} records but the ${cp.from} covers ${cp.size}`,
        { details: { seq: size, checkpointSize: cp.size } },
      );
    }
    if (!bytesEqualPublic(hashAt.get(cp.size)!, cp.rootHash)) {
      throw new AuditVerifyError(
        'CHECKPOINT_MISMATCH',
        `audit record ${cp.size - 1} does not have the head hash of the ${cp.from}: the log was rewritten after that checkpoint`,
        { details: { seq: cp.size - 1, checkpointSize: cp.size } },
      );
    }
  }
  return {
    size,
    head: prev,
    checkpointsChecked: checkpoints.length,
    signaturesChecked: o.verifier !== undefined,
  };
}

type Source = () => AsyncIterable<AuditRecord>;

function sourceOf(o: VerifyAuditLogOptions, kysely: Kysely<LedgerTables> | undefined): Source {
  if (o.records !== undefined) {
    const records = o.records;
    return async function* () {
      await Promise.resolve();
      yield* records;
    };
  }
  if (kysely === undefined) {
    throw new AuditVerifyError('RECORD_MALFORMED', 'verifyAuditLog needs db or records');
  }
  return async function* () {
    let after = -1n;
    for (;;) {
      const rows = await kysely
        .selectFrom('ledger_audit')
        .selectAll()
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(PAGE)
        .execute();
      for (const row of rows) {
        try {
          yield recordFromRow(row);
        } catch (err) {
          if (!isCairnError(err)) throw err;
          const seq = safeSeq(row.seq);
          throw new AuditVerifyError(
            'RECORD_MALFORMED',
            `audit record ${seq ?? '?'} cannot be read: ${err.message}`,
            { cause: err, details: seq === undefined ? {} : { seq } },
          );
        }
      }
      if (rows.length < PAGE) return;
      after = fromDbBigint(rows[rows.length - 1]!.seq);
    }
  };
}

async function readState(db: Kysely<LedgerTables>): Promise<{ size: number; head: Uint8Array }> {
  let row;
  try {
    row = await db
      .selectFrom('ledger_logs')
      .select(['size', 'head'])
      .where('name', '=', 'audit')
      .executeTakeFirst();
  } catch (cause) {
    throw Object.assign(notALedger(), { cause });
  }
  if (row === undefined) throw notALedger();
  return { size: Number(fromDbBigint(row.size)), head: fromDbBytes(row.head) };
}

async function diagnose(
  i: number,
  rec: AuditRecord,
  next: AuditRecord | undefined,
  prev: Uint8Array,
  prev2: Uint8Array | undefined,
  stateHead: Uint8Array | undefined,
  source: Source,
): Promise<AuditVerifyError> {
  const fail = (
    code: ConstructorParameters<typeof AuditVerifyError>[0],
    seq: number,
    msg: string,
  ) => new AuditVerifyError(code, `audit record ${seq} ${msg}`, { details: { seq } });
  const links = (p: Uint8Array, seq: number, r: AuditRecord): boolean =>
    bytesEqualPublic(chainHash(p, seq, r), r.hash);

  if (rec.seq > i) {
    return fail(
      'RECORD_MISSING',
      i,
      `is missing: the record after ${i - 1} has seq ${rec.seq} (records ${i}..${rec.seq - 1} were deleted)`,
    );
  }
  if (rec.seq < i) {
    return fail('RECORD_REORDERED', i, `is out of order: position ${i} holds seq ${rec.seq}`);
  }
  const nextLinks =
    next !== undefined
      ? links(rec.hash, i + 1, next)
      : stateHead !== undefined && bytesEqualPublic(stateHead, rec.hash);
  if (nextLinks) {
    return fail(
      'RECORD_EDITED',
      i,
      `was edited: its content no longer matches its hash, which still chains to the next record`,
    );
  }
  if (next !== undefined && links(prev, i, next)) {
    if (links(next.hash, i + 1, rec)) {
      return fail('RECORD_REORDERED', i, `is out of order: it was swapped with record ${i + 1}`);
    }
    return fail(
      'RECORD_INSERTED',
      i,
      `was inserted: it was never appended, and the records after it were renumbered`,
    );
  }
  if (prev2 !== undefined && links(prev2, i - 1, rec)) {
    return fail(
      'RECORD_INSERTED',
      i - 1,
      `was inserted: it was never appended (record ${i} chains from record ${i - 2}), and the records after it were renumbered`,
    );
  }
  if (next !== undefined && links(rec.hash, i + 2, next)) {
    return fail(
      'RECORD_MISSING',
      i,
      `is missing: it was deleted and the records after it were renumbered`,
    );
  }
  for await (const other of source()) {
    if (other.seq !== i && links(prev, i, other)) {
      return fail(
        'RECORD_REORDERED',
        i,
        `is out of order: the record appended as ${i} is stored as seq ${other.seq}`,
      );
    }
  }
  return fail(
    'CHAIN_BROKEN',
    i,
    `does not chain from record ${i - 1}: it was edited and re-hashed, record ${i - 1} was, or several records were changed`,
  );
}

function safeSeq(v: unknown): number | undefined {
  try {
    return Number(fromDbBigint(v));
  } catch {
    return undefined;
  }
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
