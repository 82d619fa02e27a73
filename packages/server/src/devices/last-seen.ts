/**
 * Batches "last seen" updates: polls mark a device in memory (whole seconds), and a
 * timer writes every mark in ONE transaction per interval (default 5 s), so the poll
 * path never waits on a write. Marks are grouped by second: one `UPDATE … WHERE
 * controller_id IN (…)` per second and 500 devices. The batch is written by a worker
 * thread with its own connection (better-sqlite3 is synchronous: on the event loop, a
 * flush of tens of thousands of marks held polls up; on PostgreSQL, building and sending
 * the statements took event-loop time too).
 */
import { Worker } from 'node:worker_threads';
import type { Database } from '@cairn/db';
import { writeLastSeen } from './last-seen-write.js';

/** Writes batches on a worker thread with its own database connection (see last-seen-thread). */
class ThreadWriter {
  readonly #worker: Worker;
  readonly #ready: Promise<void>;
  readonly #waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  #next = 0;

  constructor(db: Database) {
    const c = db.config;
    this.#worker = new Worker(new URL('./last-seen-thread.js', import.meta.url), {
      // one connection is all the writer needs
      workerData: c.dialect === 'postgres' ? { ...c, poolSize: 1 } : c,
    });
    this.#worker.unref();
    this.#ready = new Promise((resolve, reject) => {
      this.#worker.once('error', reject);
      this.#worker.once('message', () => {
        resolve();
      });
    });
    this.#ready.catch(() => undefined);
    this.#worker.on('message', (m: { id: number; error?: string } | 'ready') => {
      if (m === 'ready') return;
      const w = this.#waiting.get(m.id);
      this.#waiting.delete(m.id);
      // an idle writer does not keep the process alive; one with work does
      if (this.#waiting.size === 0) this.#worker.unref();
      if (m.error === undefined) w?.resolve();
      else w?.reject(new Error(`last-seen writer thread: ${m.error}`));
    });
    this.#worker.on('error', (err) => {
      for (const w of this.#waiting.values()) w.reject(err);
      this.#waiting.clear();
    });
  }

  async write(batch: Map<number, Set<string>>): Promise<void> {
    this.#worker.ref();
    await this.#ready;
    const id = this.#next++;
    const done = new Promise<void>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
    });
    this.#worker.postMessage({ id, batch: [...batch].map(([s, ids]) => [s, [...ids]]) });
    await done;
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      this.#worker.once('exit', () => {
        resolve();
      });
    });
    try {
      this.#worker.ref();
      await this.#ready;
      this.#worker.postMessage('close');
    } catch {
      return; // it never started
    }
    await exited;
  }
}

export class LastSeenTracker {
  readonly #db: Database;
  /** Second (ms since the epoch, floored) → controller IDs last seen in it. */
  #pending = new Map<number, Set<string>>();
  /** Controller ID → the second it was last marked in (so a device is written once). */
  #second = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  /** Where batches are written: a worker thread (SQLite file, PostgreSQL), else this thread. */
  readonly #thread: ThreadWriter | undefined;

  /**
   * `offThread` (default true): write on a worker thread with its own connection, so the
   * UPDATEs stay off the event loop that answers polls. On SQLite they are synchronous
   * (better-sqlite3); on PostgreSQL the driver is asynchronous, but building and sending
   * 500-ID statements for tens of thousands of marks, and reading their results, still
   * took event-loop time from the polls. Not for an in-memory SQLite database (a second
   * connection would open another, empty database).
   */
  constructor(db: Database, intervalMs = 5000, offThread = true) {
    this.#db = db;
    const c = db.config;
    this.#thread =
      offThread && (c.dialect === 'postgres' || c.path !== ':memory:')
        ? new ThreadWriter(db)
        : undefined;
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
    if (this.#thread !== undefined) {
      try {
        await this.#thread.write(batch);
        return;
      } catch (err) {
        // the marks are not lost: written here instead
        process.emitWarning(`cairn server: ${String(err)}; writing last-seen marks in-process`);
      }
    }
    await writeLastSeen(this.#db, batch);
  }

  /** Whether batches are written on a worker thread. */
  get offThread(): boolean {
    return this.#thread !== undefined;
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    try {
      await this.flush();
    } finally {
      await this.#thread?.close();
    }
  }
}
