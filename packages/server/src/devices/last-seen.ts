/**
 * Batches "last seen" updates: polls mark a device in memory, and one statement per
 * flush interval writes them all, so the poll path never waits on a write.
 */
import { sql, toDbTimestamp } from '@cairn/db';
import type { Database } from '@cairn/db';

const BATCH = 500;

export class LastSeenTracker {
  readonly #db: Database;
  #pending = new Map<string, Date>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(db: Database, intervalMs = 1000) {
    this.#db = db;
    if (intervalMs > 0) {
      this.#timer = setInterval(() => void this.flush().catch(() => undefined), intervalMs);
      this.#timer.unref();
    }
  }

  mark(controllerId: string, at: Date): void {
    this.#pending.set(controllerId, at);
  }

  /** Write everything marked so far. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async #write(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = [...this.#pending];
    this.#pending = new Map();
    await this.#db.transaction(async (trx) => {
      if (this.#db.dialect === 'sqlite') {
        // SQLite would scan the table per VALUES row in an UPDATE … FROM; one indexed
        // single-row update per device (same prepared statement) is far cheaper.
        for (const [id, at] of batch) {
          await sql`UPDATE devices SET last_seen = ${toDbTimestamp(at)} WHERE controller_id = ${id}`.execute(
            trx,
          );
        }
        return;
      }
      for (let i = 0; i < batch.length; i += BATCH) {
        const rows = batch
          .slice(i, i + BATCH)
          .map(([id, at]) => sql`(${id}, ${toDbTimestamp(at)})`);
        await sql`UPDATE devices SET last_seen = v.seen
          FROM (VALUES ${sql.join(rows)}) AS v(cid, seen)
          WHERE devices.controller_id = v.cid`.execute(trx);
      }
    });
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}
