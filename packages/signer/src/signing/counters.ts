import { fromDbUint64, toDbUint64 } from '@cairn/db';
import type { Database, Kysely, Transaction } from '@cairn/db';
import type { SignerTables } from '../store/schema.js';

/**
 * Per-worker counters (last signed sequence per product, key usage), kept in memory and
 * persisted before a signature is made: a reservation is durable before the HSM signs,
 * so a crash can only waste a sequence number or a usage count, never reuse one.
 * Writes are group-committed (one transaction for whatever queued meanwhile).
 * One signer process owns a database's counters.
 */
export class Counters {
  readonly #db: Database;
  readonly #k: Kysely<SignerTables>;
  readonly #values = new Map<string, bigint>();
  readonly #loaded = new Set<string>();
  #dirty = new Map<string, { worker: string; name: string; value: bigint }>();
  #waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  #flushing: Promise<void> | undefined;

  constructor(db: Database) {
    this.#db = db;
    this.#k = db.typed<SignerTables>();
  }

  async load(worker: string): Promise<void> {
    if (this.#loaded.has(worker)) return;
    const rows = await this.#k
      .selectFrom('signer_counters')
      .selectAll()
      .where('worker', '=', worker)
      .execute();
    for (const r of rows) this.#values.set(`${worker}\u0000${r.name}`, fromDbUint64(r.value));
    this.#loaded.add(worker);
  }

  /** Current value (0 when never set); the worker must be loaded. */
  get(worker: string, name: string): bigint {
    return this.#values.get(`${worker}\u0000${name}`) ?? 0n;
  }

  /** Set in memory now (callers check-and-set synchronously); resolves once durable. */
  set(worker: string, name: string, value: bigint): Promise<void> {
    const key = `${worker}\u0000${name}`;
    this.#values.set(key, value);
    this.#dirty.set(key, { worker, name, value });
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      this.#flushing ??= Promise.resolve().then(() => this.#drain());
    });
  }

  async #drain(): Promise<void> {
    while (this.#waiters.length > 0) {
      const waiters = this.#waiters;
      const dirty = [...this.#dirty.values()];
      this.#waiters = [];
      this.#dirty = new Map();
      try {
        await this.#db.transaction(async (trx: Transaction<SignerTables>) => {
          for (const d of dirty) {
            await trx
              .insertInto('signer_counters')
              .values({ worker: d.worker, name: d.name, value: toDbUint64(d.value) })
              .onConflict((oc) =>
                oc.columns(['worker', 'name']).doUpdateSet({ value: toDbUint64(d.value) }),
              )
              .execute();
          }
        });
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
    }
    this.#flushing = undefined;
  }
}
