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

  async write(batch: Map<number, string[]>): Promise<void> {
    this.#worker.ref();
    await this.#ready;
    const id = this.#next++;
    const done = new Promise<void>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
    });
    this.#worker.postMessage({ id, batch: [...batch] });
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

/** One device's last-seen mark (see LastSeenTracker's #slots). */
interface Mark {
  readonly id: string;
  /** Seconds since LastSeenTracker's #base. */
  second: number;
  /** The flush period it was last queued in. */
  period: number;
}

export class LastSeenTracker {
  readonly #db: Database;
  /**
   * Controller ID → its mark, kept across flushes: a poll of a device marked before
   * looks the mark up and writes two small integers into it, allocating nothing. (A map
   * rebuilt at every flush made each device's first poll in a period allocate an entry, a
   * key and a number that lived until the flush, long enough to be promoted to the old
   * generation and then become garbage there.) Cleared after a flush when it holds more
   * than `maxSlots` devices.
   */
  readonly #slots = new Map<string, Mark>();
  /** The marks made since the last flush, each once. */
  #pending: Mark[] = [];
  /** Flush period counter: a mark whose `period` is this one is already in #pending. */
  #period = 1;
  /** Seconds are kept relative to this one (ms since the epoch / 1000) to stay small integers. */
  readonly #base = Math.floor(Date.now() / 1000);
  readonly #maxSlots: number;
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
  constructor(db: Database, intervalMs = 5000, offThread = true, maxSlots = 262_144) {
    this.#db = db;
    this.#maxSlots = maxSlots;
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

  /** The device was seen at `at` (whole seconds; a later mark replaces an earlier one). */
  mark(controllerId: string, at: Date): void {
    const second = Math.floor(at.getTime() / 1000) - this.#base;
    let m = this.#slots.get(controllerId);
    if (m === undefined) {
      m = { id: controllerId, second, period: 0 };
      this.#slots.set(controllerId, m);
    } else m.second = second;
    if (m.period !== this.#period) {
      m.period = this.#period;
      this.#pending.push(m);
    }
  }

  /** Devices marked and not yet written. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Write everything marked so far. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async #write(): Promise<void> {
    if (this.#pending.length === 0) return;
    // Synchronous up to the first await: no mark can change a slot while it is read here.
    const marks = this.#pending;
    this.#pending = [];
    this.#period++;
    const batch = new Map<number, string[]>();
    for (const m of marks) {
      const at = (m.second + this.#base) * 1000;
      const ids = batch.get(at);
      if (ids === undefined) batch.set(at, [m.id]);
      else ids.push(m.id);
    }
    if (this.#slots.size > this.#maxSlots) this.#slots.clear();
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
