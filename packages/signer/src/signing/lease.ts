import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { fromDbBigint, fromDbTimestamp, toDbBigint, toDbTimestamp } from '@cairn/db';
import type { Database } from '@cairn/db';
import { SignerError } from '../errors.js';
import type { SignerTables } from '../store/schema.js';

/** How often the holder renews its lease. */
export const LEASE_HEARTBEAT_MS = 5_000;
/** A lease not renewed for this long is abandoned (its holder died on another host). */
export const LEASE_STALE_MS = 30_000;

const NAME = 'signer';

/** This host and PID namespace: where a stored pid can be checked for liveness. */
function hostKey(): string {
  let ns = '';
  try {
    ns = readlinkSync('/proc/self/ns/pid');
  } catch {
    // not Linux: the host name alone
  }
  return `${hostname()}${ns ? ` ${ns}` : ''}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The one signer process allowed to sign with a database. Sequence counters and the
 * tree mirror live in the signer's memory, so a second process on the same database
 * could hand out a sequence number twice; it is refused at start instead
 * (DATABASE_IN_USE). The holder renews the lease every 5 s. A lease is taken over when
 * its holder was closed, when its process is gone (same host and PID namespace), or when
 * it has not been renewed for 30 s (another host). A holder whose lease was taken over
 * meanwhile notices at its next renewal and refuses to sign from then on (LEASE_LOST).
 */
export class SignerLease {
  readonly holder = randomBytes(12).toString('hex');
  readonly #db: Database;
  readonly #clock: () => Date;
  #timer: NodeJS.Timeout | undefined;
  #lost: string | undefined;
  #closed = false;

  private constructor(db: Database, clock: () => Date) {
    this.#db = db;
    this.#clock = clock;
  }

  static async acquire(db: Database, clock: () => Date): Promise<SignerLease> {
    const lease = new SignerLease(db, clock);
    await lease.#take();
    lease.#timer = setInterval(() => {
      lease.renew().catch((err: unknown) => {
        process.emitWarning(`cairn signer: lease renewal failed: ${String(err)}`);
      });
    }, LEASE_HEARTBEAT_MS);
    lease.#timer.unref();
    return lease;
  }

  async #take(): Promise<void> {
    const host = hostKey();
    await this.#db.transaction<SignerTables, undefined>(async (trx) => {
      const row = await trx
        .selectFrom('signer_lease')
        .selectAll()
        .where('name', '=', NAME)
        .executeTakeFirst();
      const now = this.#clock();
      if (row !== undefined) {
        const pid = Number(fromDbBigint(row.pid));
        const age = now.getTime() - fromDbTimestamp(row.heartbeat_at).getTime();
        const gone = row.host === host && !alive(pid);
        if (!gone && age < LEASE_STALE_MS) {
          throw new SignerError(
            'DATABASE_IN_USE',
            `another signer (pid ${pid} on ${row.host.split(' ')[0]}) is using this database, renewed ${Math.max(0, Math.round(age / 1000))} s ago: run one signer per database (stop the other one; a signer killed on another host is taken over after ${LEASE_STALE_MS / 1000} s)`,
          );
        }
      }
      const values = {
        holder: this.holder,
        pid: toDbBigint(process.pid),
        host,
        heartbeat_at: toDbTimestamp(now),
      };
      if (row === undefined) {
        await trx
          .insertInto('signer_lease')
          .values({ name: NAME, ...values })
          .execute();
      } else {
        await trx.updateTable('signer_lease').set(values).where('name', '=', NAME).execute();
      }
    });
  }

  /** Why this process may no longer sign, or undefined while it holds the lease. */
  get lost(): string | undefined {
    return this.#lost;
  }

  /** Throws LEASE_LOST once another signer took the database over. */
  check(): void {
    if (this.#lost !== undefined) throw new SignerError('LEASE_LOST', this.#lost);
  }

  /** Renew the lease now (the timer does this every LEASE_HEARTBEAT_MS). */
  async renew(): Promise<void> {
    if (this.#closed || this.#lost !== undefined) return;
    const res = await this.#db
      .typed<SignerTables>()
      .updateTable('signer_lease')
      .set({ heartbeat_at: toDbTimestamp(this.#clock()) })
      .where('name', '=', NAME)
      .where('holder', '=', this.holder)
      .executeTakeFirst();
    if (res.numUpdatedRows === 0n) {
      this.#lost =
        'another signer process took this database over (this one stopped renewing its lease in time): this process no longer signs; restart it after stopping the other one';
      process.emitWarning(`cairn signer: ${this.#lost}`);
    }
  }

  /** Stop renewing and give the lease up (if still held). */
  async release(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#lost !== undefined) return;
    await this.#db
      .typed<SignerTables>()
      .deleteFrom('signer_lease')
      .where('name', '=', NAME)
      .where('holder', '=', this.holder)
      .execute();
  }
}
