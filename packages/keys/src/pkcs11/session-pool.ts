import { KeyError } from '../errors.js';
import { ckrName, initialize, pkcs11js, SESSION_GONE, type Handle, type Pkcs11 } from './module.js';

/** PKCS#11 results that mean our sessions, login or the library state are gone. */
const SESSION_LOSS: ReadonlySet<string> = new Set([
  ...SESSION_GONE,
  'CKR_USER_NOT_LOGGED_IN',
  'CKR_OBJECT_HANDLE_INVALID',
  'CKR_KEY_HANDLE_INVALID',
]);

export function isSessionLoss(err: unknown): boolean {
  const name = ckrName(err);
  return name !== undefined && SESSION_LOSS.has(name);
}

/** A session lent to one operation, with the generation and slot it belongs to. */
export interface Lease {
  readonly session: Handle;
  readonly gen: number;
  readonly slot: Handle;
}

interface Waiter {
  resolve(l: Lease): void;
  reject(e: unknown): void;
}

/** Opening a session for a waiter failed in generation `gen`. */
class OpenFailed {
  constructor(
    readonly cause: unknown,
    readonly gen: number,
  ) {}
}

export interface PoolOptions {
  readonly lib: Pkcs11;
  readonly size: number;
  /** Finds the token's slot (again after a reset). */
  readonly findSlot: () => Handle;
  /** Logs in on a fresh session; called once per generation. */
  readonly login: (session: Handle) => void;
  /**
   * Called when a recovery starts generation `gen`, before the library is initialised
   * again (drop cached object handles, stop using sessions of older generations).
   */
  readonly onReset: (gen: number) => void;
  /** Called when a recovery of generation `gen` found the library finalised and initialised it. */
  readonly onReinitialized?: (gen: number) => void;
}

/**
 * Up to `size` R/W sessions shared by concurrent operations. When the token says the
 * sessions or the login are gone (closed behind our back, token reset, library
 * finalised), `run` starts a new generation: re-initialise, find the slot, reopen,
 * log in, and retry the operation once.
 */
export class SessionPool {
  private readonly o: PoolOptions;
  private slot: Handle;
  private gen = 0;
  /** Latest generation whose recovery initialised a finalised library (handles restarted). */
  private reinitGen = -1;
  private loginGen = -1;
  private open = 0;
  private idle: Handle[] = [];
  private readonly waiters: Waiter[] = [];
  private closed = false;

  constructor(o: PoolOptions) {
    this.o = o;
    this.slot = o.findSlot();
  }

  private openSession(): Handle {
    const { lib } = this.o;
    const s = lib.C_OpenSession(this.slot, pkcs11js.CKF_RW_SESSION | pkcs11js.CKF_SERIAL_SESSION);
    this.open++;
    if (this.loginGen !== this.gen) {
      try {
        this.o.login(s);
      } catch (err) {
        this.closeQuietly(s);
        this.open--;
        throw err;
      }
      this.loginGen = this.gen;
    }
    return s;
  }

  private closeQuietly(s: Handle): void {
    try {
      this.o.lib.C_CloseSession(s);
    } catch {
      // the session is already gone
    }
  }

  private pump(): void {
    while (this.waiters.length > 0) {
      let s = this.idle.pop();
      if (s === undefined) {
        if (this.open >= this.o.size) return;
        try {
          s = this.openSession();
        } catch (err) {
          this.waiters.shift()!.reject(new OpenFailed(err, this.gen));
          continue;
        }
      }
      this.waiters.shift()!.resolve({ session: s, gen: this.gen, slot: this.slot });
    }
  }

  private acquire(): Promise<Lease> {
    if (this.closed)
      return Promise.reject(
        new KeyError('KEYSTORE_CLOSED', 'the PKCS#11 key store is closed: open it again'),
      );
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.pump();
    });
  }

  private release(l: Lease, reusable: boolean): void {
    if (l.gen === this.gen && reusable && !this.closed) {
      this.idle.push(l.session);
    } else {
      if (l.gen === this.gen) this.open--;
      // After the library was initialised again, an old handle may name a new session.
      if (l.gen >= this.reinitGen) this.closeQuietly(l.session);
    }
    this.pump();
  }

  /** Start a new generation unless another operation already did since `seenGen`. */
  private recover(seenGen: number): void {
    if (seenGen !== this.gen) return;
    this.gen++;
    for (const s of this.idle) this.closeQuietly(s);
    this.idle = [];
    this.open = 0;
    this.o.onReset(this.gen);
    if (initialize(this.o.lib)) {
      this.reinitGen = this.gen;
      this.o.onReinitialized?.(this.gen);
    }
    this.slot = this.o.findSlot();
  }

  /** A lost session, login or library state: recover once, else SESSION_LOST. */
  private lost(what: string, err: unknown, gen: number, attempt: number): void {
    if (attempt > 0) {
      throw new KeyError(
        'SESSION_LOST',
        `${what}: the token session was lost again after reconnecting (${ckrName(err) ?? String(err)}): check the HSM`,
        { cause: err },
      );
    }
    try {
      this.recover(gen);
    } catch (cause) {
      if (cause instanceof KeyError) throw cause;
      throw new KeyError(
        'SESSION_LOST',
        `${what}: the token session was lost and reconnecting failed (${(cause as Error).message})`,
        { cause },
      );
    }
  }

  /**
   * Run `fn` on a pooled session; recovers once from a lost session/login/library state.
   * `fn` calls `taint()` once it starts a multi-call operation (C_SignInit…): if it then
   * fails, the session is closed rather than reused with an operation still active.
   * `lease` tells the generation and slot the session belongs to.
   */
  async run<T>(
    what: string,
    fn: (session: Handle, taint: () => void, lease: Lease) => T | Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let lease: Lease;
      try {
        lease = await this.acquire();
      } catch (err) {
        if (!(err instanceof OpenFailed)) throw err;
        if (!isSessionLoss(err.cause)) throw err.cause;
        this.lost(what, err.cause, err.gen, attempt);
        continue;
      }
      let tainted = false;
      try {
        const out = await fn(
          lease.session,
          () => {
            tainted = true;
          },
          lease,
        );
        this.release(lease, true);
        return out;
      } catch (err) {
        if (!isSessionLoss(err)) {
          this.release(lease, !tainted);
          throw err;
        }
        // Recover before releasing, so that no waiter gets a new session on a dead library.
        try {
          this.lost(what, err, lease.gen, attempt);
        } finally {
          this.release(lease, false);
        }
      }
    }
  }

  /** Close every session this pool opened. */
  close(): void {
    this.closed = true;
    for (const s of this.idle) this.closeQuietly(s);
    this.idle = [];
    for (const w of this.waiters.splice(0))
      w.reject(new KeyError('KEYSTORE_CLOSED', 'the PKCS#11 key store was closed'));
  }
}
