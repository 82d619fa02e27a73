/**
 * Batches "last seen" updates: polls mark a device in memory (whole seconds), and a
 * timer writes every mark in ONE transaction per interval (default 5 s), so the poll
 * path never waits on a write and SQLite (synchronous, on the event loop) commits
 * rarely. Marks are grouped by second: one `UPDATE … WHERE controller_id IN (…)` per
 * second and 500 devices, an indexed lookup on both dialects.
 */
import { sql, toDbTimestamp } from '@cairn/db';
import type { Database } from '@cairn/db';

const BATCH = 500;

export class LastSeenTracker {
  readonly #db: Database;
  /** Second (ms since the epoch, floored) → controller IDs last seen in it. */
  #pending = new Map<number, Set<string>>();
  /** Controller ID → the second it was last marked in (so a device is written once). */
  #second = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(db: Database, intervalMs = 5000) {
    this.#db = db;
    if (intervalMs > 0) {
      this.#timer = setInterval(() => void this.flush().catch(() => undefined), intervalMs);
      this.#timer.unref();
    }
  }

  mark(controllerId: string, at: Date): void {
    const second = at.getTime() - (at.getTime() % 1000);
    const before = this.#second.get(controllerId);
    if (before === second) return;
    if (before !== undefined) this.#pending.get(before)?.delete(controllerId);
    this.#second.set(controllerId, second);
    let ids = this.#pending.get(second);
    if (ids === undefined) {
      ids = new Set();
      this.#pending.set(second, ids);
    }
    ids.add(controllerId);
  }

  /** Devices marked and not yet written. */
  get pending(): number {
    return this.#second.size;
  }

  /** Write everything marked so far. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async #write(): Promise<void> {
    if (this.#second.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#second = new Map();
    await this.#db.transaction(async (trx) => {
      for (const [second, set] of batch) {
        const ids = [...set];
        const at = toDbTimestamp(new Date(second));
        for (let i = 0; i < ids.length; i += BATCH) {
          const chunk = ids.slice(i, i + BATCH).map((id) => sql`${id}`);
          await sql`UPDATE devices SET last_seen = ${at}
            WHERE controller_id IN (${sql.join(chunk)})`.execute(trx);
        }
      }
    });
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}
