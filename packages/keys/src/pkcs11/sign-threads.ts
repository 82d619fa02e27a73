import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { KeyError } from '../errors.js';
import {
  CLOSING,
  decodeResults,
  encodeJobs,
  GEN,
  REINIT,
  SHARED_CELLS,
  type FromThread,
  type Job,
  type SignThreadData,
  type ToThread,
} from './sign-protocol.js';

export const MAX_SIGN_THREADS = 16;

/** Default number of sign threads: two, or one on a single-core machine. */
export function defaultSignThreads(): number {
  return Math.min(2, availableParallelism());
}

interface Pending {
  readonly job: Job;
  resolve(sig: Uint8Array): void;
  reject(err: unknown): void;
}

interface Thread {
  readonly worker: Worker;
  /** Jobs waiting for this turn's flush. */
  readonly queue: Pending[];
  /** Jobs posted to the thread, by id. */
  readonly inflight: Map<number, Pending>;
  /** Resolves when the thread has loaded the module; rejects if it cannot. */
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  refd: boolean;
}

/**
 * A small pool of worker threads that sign with a PKCS#11 module (C_SignInit + C_Sign on
 * their own sessions), so the main thread only hands over handles and bytes. Started on
 * the first signature. Jobs queued during one event-loop turn go to the least-loaded
 * thread in one message per thread. Idle threads are unref'd: they never keep the
 * process alive.
 */
export class SignThreads {
  private readonly module: string;
  private readonly count: number;
  private readonly shared = new Int32Array(new SharedArrayBuffer(SHARED_CELLS * 4)).fill(
    -1,
    REINIT,
  );
  private threads: Thread[] = [];
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private nextId = 0;
  private rr = 0;
  private flushScheduled = false;

  constructor(module: string, count: number) {
    this.module = module;
    this.count = count;
  }

  /** The session pool's generation: jobs of any other one are refused as stale. */
  setGeneration(gen: number): void {
    Atomics.store(this.shared, GEN, gen);
  }

  /** The recovery of generation `gen` initialised a finalised library: older handles are void. */
  setReinitialized(gen: number): void {
    Atomics.store(this.shared, REINIT, gen);
  }

  /** Sign on a thread; PKCS#11 failures reject with an Error whose message is the CKR_ name. */
  async sign(job: Omit<Job, 'id'>): Promise<Uint8Array> {
    if (this.threads.length === 0) await this.start();
    if (this.closing !== undefined) throw closedError();
    if (this.threads.length === 0) {
      throw new KeyError('SIGN_FAILED', 'the PKCS#11 sign threads stopped: nothing was signed');
    }
    return new Promise((resolve, reject) => {
      this.nextId = (this.nextId + 1) >>> 0;
      this.pick().queue.push({ job: { ...job, id: this.nextId }, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  private start(): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(closedError());
    this.starting ??= (async () => {
      const threads: Thread[] = [];
      try {
        for (let i = 0; i < this.count; i++) threads.push(this.spawn());
        await Promise.all(threads.map((t) => t.ready));
      } catch (err) {
        this.starting = undefined;
        await Promise.all(threads.map((t) => t.worker.terminate()));
        throw err;
      }
      for (const t of threads) {
        t.worker.unref();
        t.refd = false;
      }
      this.threads = threads;
    })();
    return this.starting;
  }

  private spawn(): Thread {
    const data: SignThreadData = { module: this.module, shared: this.shared.buffer };
    const worker = new Worker(new URL('./sign-thread.js', import.meta.url), {
      workerData: data,
    });
    let markReady!: () => void;
    let fail!: (err: unknown) => void;
    let markExited!: () => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      fail = reject;
    });
    const exited = new Promise<void>((resolve) => {
      markExited = resolve;
    });
    const thread: Thread = { worker, queue: [], inflight: new Map(), ready, exited, refd: true };
    let lastError: unknown;
    worker.on('message', (m: FromThread) => {
      if (m.t === 'results') this.settle(thread, m.buf);
      else if (m.t === 'ready') markReady();
      else
        fail(
          new KeyError(
            'MODULE_LOAD_FAILED',
            `a sign thread cannot use the PKCS#11 module ${this.module} (${m.error}); signThreads: 0 signs on the main thread instead`,
          ),
        );
    });
    worker.on('error', (err) => {
      lastError = err;
    });
    worker.on('exit', (code) => {
      const why = lastError instanceof Error ? lastError.message : `exit code ${code}`;
      fail(
        new KeyError(
          'MODULE_LOAD_FAILED',
          `a sign thread for ${this.module} stopped before it was ready (${why}); signThreads: 0 signs on the main thread instead`,
          { cause: lastError },
        ),
      );
      this.lost(thread, why);
      markExited();
    });
    return thread;
  }

  /** The thread with the fewest jobs; ties rotate. */
  private pick(): Thread {
    const n = this.threads.length;
    this.rr = (this.rr + 1) % n;
    let best = this.threads[this.rr]!;
    let load = best.queue.length + best.inflight.size;
    for (let i = 1; i < n && load > 0; i++) {
      const t = this.threads[(this.rr + i) % n]!;
      const l = t.queue.length + t.inflight.size;
      if (l < load) {
        best = t;
        load = l;
      }
    }
    return best;
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    for (const t of this.threads) {
      if (t.queue.length === 0) continue;
      const batch = t.queue.splice(0);
      let buf: ArrayBuffer;
      try {
        buf = encodeJobs(batch.map((p) => p.job));
      } catch (err) {
        for (const p of batch) p.reject(err);
        continue;
      }
      for (const p of batch) t.inflight.set(p.job.id, p);
      if (!t.refd) {
        t.worker.ref();
        t.refd = true;
      }
      const m: ToThread = { t: 'jobs', buf };
      t.worker.postMessage(m, [buf]);
    }
  };

  private settle(t: Thread, buf: ArrayBuffer): void {
    for (const r of decodeResults(buf)) {
      const p = t.inflight.get(r.id);
      if (p === undefined) continue;
      t.inflight.delete(r.id);
      if (r.sig !== undefined) p.resolve(r.sig);
      else p.reject(new Error(r.error));
    }
    if (t.refd && t.inflight.size === 0 && t.queue.length === 0) {
      t.worker.unref();
      t.refd = false;
    }
  }

  /** A thread stopped on its own: fail its jobs; the next signature restarts a pool left empty. */
  private lost(t: Thread, why: string): void {
    const i = this.threads.indexOf(t);
    if (i < 0) return;
    this.threads.splice(i, 1);
    if (this.threads.length === 0) this.starting = undefined;
    const err = (): KeyError =>
      new KeyError('SIGN_FAILED', `a PKCS#11 sign thread stopped (${why}): nothing was signed`);
    for (const p of t.queue.splice(0)) p.reject(err());
    for (const p of t.inflight.values()) p.reject(err());
    t.inflight.clear();
  }

  /** Fail queued jobs, let each thread close its session, and wait until every thread has exited. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      Atomics.store(this.shared, CLOSING, 1);
      if (this.starting !== undefined) await this.starting.catch(() => undefined);
      const threads = this.threads;
      this.threads = [];
      await Promise.all(
        threads.map((t) => {
          for (const p of t.queue.splice(0)) p.reject(closedError());
          for (const p of t.inflight.values()) p.reject(closedError());
          t.inflight.clear();
          // keep the process alive until the thread is gone, or `await close()` never returns
          t.worker.ref();
          const m: ToThread = { t: 'close' };
          t.worker.postMessage(m);
          return t.exited;
        }),
      );
    })();
    return this.closing;
  }
}

function closedError(): KeyError {
  return new KeyError('KEYSTORE_CLOSED', 'the PKCS#11 key store was closed');
}
