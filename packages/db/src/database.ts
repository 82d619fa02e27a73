import { AsyncLocalStorage } from 'node:async_hooks';
import { Kysely } from 'kysely';
import type { Transaction } from 'kysely';
import { assertDatabaseConfig } from './config.js';
import type { DatabaseConfig, Dialect } from './config.js';
import { DbError } from './errors.js';
import { guardDialect } from './guarded-driver.js';
import type { GuardedDriver } from './guarded-driver.js';
import { assertMigrations, migrateStep } from './migrations.js';
import type { Migration, MigrationResult } from './migrations.js';
import { openPostgres, preparePostgres } from './postgres.js';
import { beginDeferred, beginImmediate, openSqlite } from './sqlite.js';
import { resolveTransactionOptions, withRetries } from './transaction.js';
import type { TransactionOptions } from './transaction.js';

/** An open database: one Kysely instance, transactions, migrations. */
export interface Database {
  readonly dialect: Dialect;
  /** The configuration it was opened with (so another thread can open the same data). */
  readonly config: DatabaseConfig;
  /**
   * The Kysely instance, typed with the caller's table interfaces. Queries on it run
   * outside any transaction (autocommit). Do not call it inside `transaction()`: use
   * the `trx` argument there (DB_NESTED_TRANSACTION otherwise).
   */
  typed<T>(): Kysely<T>;
  /**
   * Run `fn` in a transaction: committed when it resolves, rolled back when it throws
   * (the error is rethrown). SQLite: BEGIN IMMEDIATE, so writers queue (up to
   * busyTimeoutMs) instead of failing. PostgreSQL: `options.isolation` (default
   * serializable); on serialization failure or deadlock `fn` is re-run up to
   * `options.maxRetries` times, so `fn` must have no effects outside `trx`.
   * Nested transactions are not supported: DB_NESTED_TRANSACTION.
   */
  transaction<T, R>(
    fn: (trx: Transaction<T>) => Promise<R>,
    options?: TransactionOptions,
  ): Promise<R>;
  /**
   * Apply the pending migrations of `namespace` in list order, each in its own
   * transaction. Safe to call from several processes at once.
   */
  migrate(namespace: string, migrations: readonly Migration[]): Promise<MigrationResult>;
  /** Wait for running transactions, then close every connection. Idempotent. */
  close(): Promise<void>;
}

class OpenDatabase implements Database {
  readonly dialect: Dialect;
  readonly config: DatabaseConfig;
  readonly #kysely: Kysely<unknown>;
  readonly #driver: () => GuardedDriver | undefined;
  readonly #tx = new AsyncLocalStorage<true>();
  readonly #running = new Set<Promise<unknown>>();
  readonly #target: string;
  readonly #afterClose: () => Promise<void>;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(
    config: DatabaseConfig,
    kysely: Kysely<unknown>,
    driver: () => GuardedDriver | undefined,
    target: string,
    afterClose: () => Promise<void>,
  ) {
    this.#afterClose = afterClose;
    this.config = Object.freeze({ ...config });
    this.dialect = config.dialect;
    this.#kysely = kysely;
    this.#driver = driver;
    this.#target = target;
  }

  isClosed(): boolean {
    return this.#closed;
  }

  inTransaction(): boolean {
    return this.#tx.getStore() === true;
  }

  typed<T>(): Kysely<T> {
    this.#assertOpen();
    return this.#kysely as unknown as Kysely<T>;
  }

  async transaction<T, R>(
    fn: (trx: Transaction<T>) => Promise<R>,
    options?: TransactionOptions,
  ): Promise<R> {
    this.#assertOpen();
    if (this.inTransaction()) {
      throw new DbError(
        'DB_NESTED_TRANSACTION',
        'transaction() was called inside a transaction of the same database: use the trx passed to your function (nested transactions are not supported)',
      );
    }
    const { isolation, maxRetries, readOnly } = resolveTransactionOptions(options);
    const kysely = this.#kysely as unknown as Kysely<T>;
    const run = withRetries(() => {
      let builder = kysely.transaction();
      if (this.dialect === 'postgres') builder = builder.setIsolationLevel(isolation);
      // SQLite: the guarded driver's begin() reads the access mode (BEGIN DEFERRED)
      if (readOnly) builder = builder.setAccessMode('read only');
      return builder.execute((trx) => this.#tx.run(true, () => fn(trx)));
    }, maxRetries);
    this.#running.add(run);
    try {
      return await run;
    } finally {
      this.#running.delete(run);
      // On Node 20 an enabled AsyncLocalStorage installs async hooks for the whole process:
      // every promise, tick and write then pays for propagating the store (a few µs per
      // HTTP request in the DDI poll profile). Switch it off whenever no transaction of this
      // database is running; the next transaction() switches it back on. Work a transaction
      // started and left running after it ended is then no longer taken for nested use.
      if (this.#running.size === 0) this.#tx.disable();
    }
  }

  async migrate(namespace: string, migrations: readonly Migration[]): Promise<MigrationResult> {
    this.#assertOpen();
    assertMigrations(namespace, migrations);
    const applied: string[] = [];
    for (;;) {
      const id = await this.transaction(
        (trx: Transaction<unknown>) => migrateStep(trx, this.dialect, namespace, migrations),
        // Read committed: each statement sees what a migrator that held the lock before
        // us committed (a serializable snapshot would predate our lock).
        { isolation: 'read committed' },
      );
      if (id === undefined) return { applied };
      applied.push(id);
    }
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#running]);
    await this.#driver()?.destroy();
    await this.#afterClose();
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new DbError('DB_CLOSED', `${this.#target} was used after close(): open a new Database`);
    }
  }
}

/**
 * Open (and for SQLite, create) a database. PostgreSQL is contacted once here, so an
 * unreachable server fails now with DB_UNREACHABLE rather than at the first query.
 */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  assertDatabaseConfig(config);
  let db: OpenDatabase | undefined;
  const guards = {
    isClosed: () => db?.isClosed() ?? false,
    inTransaction: () => db?.inTransaction() ?? false,
  };
  if (config.dialect === 'sqlite') {
    const parts = openSqlite(config);
    const { dialect, driver } = guardDialect(parts.dialect, {
      ...guards,
      target: parts.target,
      begin: (settings) =>
        settings.accessMode === 'read only' ? beginDeferred(parts) : beginImmediate(parts),
    });
    db = new OpenDatabase(config, new Kysely<unknown>({ dialect }), driver, parts.target, () => {
      // Kysely closes the handle (through the cache) only if it was used; idempotent.
      parts.statements.close();
      return Promise.resolve();
    });
    return db;
  }
  const parts = openPostgres(config);
  try {
    await preparePostgres(parts, config.schema);
  } catch (err) {
    await parts.pool.end();
    throw err;
  }
  const { dialect, driver } = guardDialect(parts.dialect, { ...guards, target: parts.target });
  db = new OpenDatabase(config, new Kysely<unknown>({ dialect }), driver, parts.target, () =>
    // Kysely ends the pool only if it ran a query; the connection check at open used it.
    parts.pool.ending ? Promise.resolve() : parts.pool.end(),
  );
  return db;
}
