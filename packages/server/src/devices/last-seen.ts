/**
 * Batches "last seen" updates: polls mark a device in memory (whole seconds), and a
 * timer writes the marks in ONE transaction per interval (default 5 s), so the poll
 * path never waits on a write. Marks are grouped by second: one `UPDATE … WHERE
 * controller_id IN (…)` per second and 500 devices. The batch is written by a worker
 * thread with its own connection (better-sqlite3 is synchronous: on the event loop, a
 * flush of tens of thousands of marks held polls up; on PostgreSQL, building and sending
 * the statements took event-loop time too).
 *
 * Write resolution (default 60 s): the timer writes a device's row at most once per
 * resolution. A mark made sooner after the device's last write waits, and it is written
 * by the first timer flush that comes a resolution or more after that write, with the
 * device's latest second. So the database trails the truth by at most the resolution plus
 * the interval, and the number of row updates per second is bounded by the fleet size
 * divided by the resolution instead of growing with the poll rate (a fleet of 100,000
 * devices polling every 10 s would otherwise rewrite 10,000 rows a second). The in-memory
 * mark is exact and is what the management API shows (`seen()`); `flush()` and `close()`
 * write every mark, due or not.
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
  /** When (tracker clock, seconds relative to #base) it was last written, or NEVER. */
  written: number;
}

/** Mark.written of a mark not written by this tracker yet. */
const NEVER = -(2 ** 31);

export interface LastSeenOptions {
  /** How often the timer writes the due marks (default 5000 ms; 0: only on flush()). */
  readonly intervalMs?: number;
  /**
   * A device's row is written by the timer at most once per this many seconds (default
   * 60; 0: every mark at the next interval).
   */
  readonly resolutionSeconds?: number;
  /**
   * Write on a worker thread with its own connection (default true), so the UPDATEs stay
   * off the event loop that answers polls. On SQLite they are synchronous
   * (better-sqlite3); on PostgreSQL the driver is asynchronous, but building and sending
   * 500-ID statements for tens of thousands of marks, and reading their results, still
   * took event-loop time from the polls. Not for an in-memory SQLite database (a second
   * connection would open another, empty database).
   */
  readonly offThread?: boolean;
  /** Marks kept after a flush before the slot map is cleared (default 262144). */
  readonly maxSlots?: number;
  /** The time the resolution is measured by (default the system clock). */
  readonly clock?: () => Date;
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
  readonly #resolution: number;
  readonly #clock: () => Date;
  #timer: NodeJS.Timeout | undefined;
  #rowsWritten = 0;
  #flushing: Promise<void> = Promise.resolve();

  /** Where batches are written: a worker thread (SQLite file, PostgreSQL), else this thread. */
  readonly #thread: ThreadWriter | undefined;

  constructor(db: Database, o: LastSeenOptions = {}) {
    this.#db = db;
    this.#maxSlots = o.maxSlots ?? 262_144;
    this.#resolution = o.resolutionSeconds ?? 60;
    this.#clock = o.clock ?? (() => new Date());
    const c = db.config;
    this.#thread =
      (o.offThread ?? true) && (c.dialect === 'postgres' || c.path !== ':memory:')
        ? new ThreadWriter(db)
        : undefined;
    const intervalMs = o.intervalMs ?? 5000;
    if (intervalMs > 0) {
      this.#timer = setInterval(() => void this.flushDue().catch(() => undefined), intervalMs);
      this.#timer.unref();
    }
  }

  /** The device was seen at `at` (whole seconds; a later mark replaces an earlier one). */
  mark(controllerId: string, at: Date): void {
    const second = Math.floor(at.getTime() / 1000) - this.#base;
    let m = this.#slots.get(controllerId);
    if (m === undefined) {
      m = { id: controllerId, second, period: 0, written: NEVER };
      this.#slots.set(controllerId, m);
    } else m.second = second;
    if (m.period !== this.#period) {
      m.period = this.#period;
      this.#pending.push(m);
    }
  }

  /** Devices marked and not yet written (due or waiting for the resolution). */
  get pending(): number {
    return this.#pending.length;
  }

  /**
   * When this tracker last saw the device, if it has since it started (and has not
   * dropped the mark after writing it): at least as recent as the database's value, which
   * may trail it by the write resolution.
   */
  seen(controllerId: string): Date | undefined {
    const m = this.#slots.get(controllerId);
    return m === undefined ? undefined : new Date((m.second + this.#base) * 1000);
  }

  /** Write every mark made so far, due or not. */
  flush(): Promise<void> {
    return this.#queue(true);
  }

  /**
   * Write the marks that are due: a device never written by this tracker, or last
   * written a resolution or more ago. The timer calls it every interval.
   */
  flushDue(): Promise<void> {
    return this.#queue(false);
  }

  #queue(all: boolean): Promise<void> {
    // after the previous flush, whether it succeeded or failed (its caller saw the error)
    this.#flushing = this.#flushing.catch(() => undefined).then(() => this.#write(all));
    return this.#flushing;
  }

  async #write(all: boolean): Promise<void> {
    if (this.#pending.length === 0) return;
    // Synchronous up to the first await: no mark can change a slot while it is read here.
    const marks = this.#pending;
    this.#pending = [];
    this.#period++;
    const now = Math.floor(this.#clock().getTime() / 1000) - this.#base;
    const batch = new Map<number, string[]>();
    /** The marks in this batch. */
    const taken: Mark[] = [];
    for (const m of marks) {
      if (!all && m.written !== NEVER && now - m.written < this.#resolution) {
        // written less than a resolution ago: waits, queued in the new period
        m.period = this.#period;
        this.#pending.push(m);
        continue;
      }
      taken.push(m);
      const at = (m.second + this.#base) * 1000;
      const ids = batch.get(at);
      if (ids === undefined) batch.set(at, [m.id]);
      else ids.push(m.id);
    }
    if (this.#slots.size > this.#maxSlots) {
      // keep the waiting marks findable (one slot per device, and seen())
      this.#slots.clear();
      for (const m of this.#pending) this.#slots.set(m.id, m);
    }
    if (batch.size === 0) return;
    try {
      await this.#send(batch);
    } catch (err) {
      // Not written: the marks stay pending, as due as they were, for the next flush.
      for (const m of taken) {
        if (m.period !== this.#period) {
          m.period = this.#period;
          this.#pending.push(m);
        }
      }
      throw err;
    }
    // flushes run one at a time, so no other write changed `written` meanwhile
    for (const m of taken) m.written = now;
    this.#rowsWritten += taken.length;
  }

  /** Writes a batch on the worker thread, or here if there is none or it failed. */
  async #send(batch: Map<number, string[]>): Promise<void> {
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

  /** Device rows this tracker has written since it started (the bench reports it). */
  get rowsWritten(): number {
    return this.#rowsWritten;
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
