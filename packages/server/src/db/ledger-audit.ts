/**
 * The server's audit trail on @cairn/ledger: every event becomes a record of the
 * hash-chained AuditLog, with signed checkpoints that can be exported and checked with
 * `cairn audit verify` — the same evidence the signing service produces.
 */
import { chmod, mkdir, readFile, rename, writeFile, open as openFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generateNoteKey, noteSignerFromKey, type NoteSigner } from '@cairn/core';
import type { Database } from '@cairn/db';
import { Ledger, type AuditRecord as LedgerAuditRecord } from '@cairn/ledger';
import type { AuditEvent, AuditRecord, AuditSink } from './audit-sink.js';

/** An audit sink that can also list recent records (the management API's /audit). */
export interface AuditTrail extends AuditSink {
  list(limit?: number): Promise<AuditRecord[]>;
}

export interface LedgerAuditOptions {
  readonly db: Database;
  /** Signs audit checkpoints (C2SP note); e.g. an HSM Ed25519 key via noteSignerFromSigner. */
  readonly signer: NoteSigner;
  readonly origin?: string;
  readonly clock?: () => Date;
  /** Make a checkpoint of a grown log this often. Default 60 s; 0: on demand only. */
  readonly checkpointIntervalMs?: number;
}

function toRecord(r: LedgerAuditRecord): AuditRecord {
  const details = (r.details ?? {}) as Record<string, unknown>;
  const { subject, ...rest } = details;
  return {
    id: r.seq,
    at: r.time,
    actor: r.actor,
    event: r.action,
    subject: typeof subject === 'string' ? subject : '',
    outcome: r.decision === 'allowed' ? 'accepted' : 'refused',
    ...(r.reason === undefined ? {} : { code: r.reason }),
    details: rest,
  };
}

export class LedgerAuditTrail implements AuditTrail {
  private constructor(
    readonly ledger: Ledger,
    private readonly clock: () => Date,
  ) {}

  static async open(o: LedgerAuditOptions): Promise<LedgerAuditTrail> {
    const origin = o.origin ?? o.signer.name;
    const ledger = await Ledger.open({
      db: o.db,
      // the server keeps no transparency log of its own; the ledger still wants a key for it
      transparency: { signer: o.signer, origin: `${origin}/unused-tlog` },
      audit: { signer: o.signer, origin },
      checkpointIntervalMs: o.checkpointIntervalMs ?? 60_000,
      ...(o.clock ? { clock: o.clock } : {}),
    });
    return new LedgerAuditTrail(ledger, o.clock ?? (() => new Date()));
  }

  async record(e: AuditEvent): Promise<void> {
    await this.ledger.audit.append({
      time: this.clock(),
      actor: e.actor,
      authMethod: e.authMethod ?? (e.actor === 'anonymous' ? 'none' : 'token'),
      clientAddress: e.clientAddress ?? 'unknown',
      action: e.event,
      decision: e.outcome === 'accepted' ? 'allowed' : 'denied',
      ...(e.code === undefined ? {} : { reason: e.code }),
      details: { subject: e.subject, ...(e.details ?? {}) },
    });
  }

  /** The most recent records, newest first. */
  async list(limit = 100): Promise<AuditRecord[]> {
    const { size } = await this.ledger.audit.head();
    const start = Math.max(0, size - Math.min(limit, 1000));
    const records = await this.ledger.audit.records(start, size);
    return records.map(toRecord).reverse();
  }

  close(): Promise<void> {
    return this.ledger.close();
  }
}

/**
 * The server's audit checkpoint key when none is configured: a C2SP Ed25519 signer key
 * generated once into `path` (mode 0600, written atomically) and reused after that.
 */
export async function loadOrCreateAuditKey(path: string, name: string): Promise<NoteSigner> {
  try {
    return noteSignerFromKey((await readFile(path, 'utf8')).trim());
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const { signerKey, verifierKey } = generateNoteKey(name);
  const tmp = `${path}.tmp`;
  await writeFile(tmp, signerKey + '\n', { mode: 0o600 });
  const fh = await openFile(tmp, 'r');
  await fh.sync();
  await fh.close();
  await rename(tmp, path);
  await chmod(path, 0o600);
  await writeFile(`${path}.pub`, verifierKey + '\n', { mode: 0o644 });
  return noteSignerFromKey(signerKey);
}
