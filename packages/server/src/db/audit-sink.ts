/**
 * The server's audit trail, behind a small interface so it can move to @cairn/ledger's
 * hash-chained AuditLog without touching callers. `DbAuditSink` is the plain table.
 */
import { fromDbJson, fromDbTimestamp, toDbJson, toDbTimestamp } from '@cairn/db';
import type { Database } from '@cairn/db';
import type { ServerTables } from './schema.js';

export interface AuditEvent {
  /** Who did it: `admin`, `device:<controllerId>`, … */
  readonly actor: string;
  /** What happened, e.g. `release.upload`. */
  readonly event: string;
  /** What it was done to, e.g. `product:<id>`. */
  readonly subject: string;
  readonly outcome: 'accepted' | 'refused';
  /** The error code of a refusal. */
  readonly code?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  /** How the actor authenticated, when known. */
  readonly authMethod?: 'token' | 'mtls' | 'none';
  /** The client's address, when known. */
  readonly clientAddress?: string;
}

export interface AuditRecord extends AuditEvent {
  readonly id: number;
  readonly at: Date;
}

export interface AuditSink {
  record(event: AuditEvent): Promise<void>;
}

export class DbAuditSink implements AuditSink {
  readonly #db: Database;
  readonly #clock: () => Date;

  constructor(db: Database, clock: () => Date = () => new Date()) {
    this.#db = db;
    this.#clock = clock;
  }

  async record(e: AuditEvent): Promise<void> {
    await this.#db
      .typed<ServerTables>()
      .insertInto('server_audit')
      .values({
        at: toDbTimestamp(this.#clock()),
        actor: e.actor,
        event: e.event,
        subject: e.subject,
        outcome: e.outcome,
        code: e.code ?? null,
        details: toDbJson(e.details ?? {}),
      })
      .execute();
  }

  /** The most recent records, newest first. */
  async list(limit = 100): Promise<AuditRecord[]> {
    const rows = await this.#db
      .typed<ServerTables>()
      .selectFrom('server_audit')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      at: fromDbTimestamp(r.at),
      actor: r.actor,
      event: r.event,
      subject: r.subject,
      outcome: r.outcome === 'accepted' ? 'accepted' : 'refused',
      ...(r.code === null ? {} : { code: r.code }),
      details: fromDbJson(r.details) as Record<string, unknown>,
    }));
  }
}
