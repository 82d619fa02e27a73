import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { DbError } from './errors.js';
import { mapDriverError } from './driver-errors.js';
import type { ErrorContext } from './driver-errors.js';

/** What the guarded driver needs to know about its Database. */
export interface DriverGuards {
  readonly target: string;
  isClosed(): boolean;
  /** True while the caller runs inside a `transaction()` of the same Database. */
  inTransaction(): boolean;
  /** Replaces the inner driver's BEGIN (SQLite: BEGIN IMMEDIATE with async waiting). */
  begin?: (settings: TransactionSettings) => Promise<void>;
}

function isAborted(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortedTransactionError';
}

/** Maps every driver error to a DbError. */
class GuardedConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly target: string,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.inner.executeQuery<R>(query);
    } catch (err) {
      throw mapDriverError(err, { target: this.target, sql: query.sql });
    }
  }

  async *streamQuery<R>(
    query: CompiledQuery,
    chunkSize?: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(query, chunkSize);
    } catch (err) {
      throw mapDriverError(err, { target: this.target, sql: query.sql });
    }
  }
}

/**
 * Wraps a Kysely driver so that: every error is a DbError; use after close() is
 * DB_CLOSED; a query on the Database (not the trx) inside one of its transactions is
 * DB_NESTED_TRANSACTION instead of a deadlock (SQLite) or a silent escape from the
 * transaction (PostgreSQL); and SQLite transactions begin IMMEDIATE.
 */
export class GuardedDriver implements Driver {
  readonly #inner: Driver;
  readonly #guards: DriverGuards;
  readonly #wrapped = new WeakMap<DatabaseConnection, GuardedConnection>();
  readonly #ctx: ErrorContext;

  constructor(inner: Driver, guards: DriverGuards) {
    this.#inner = inner;
    this.#guards = guards;
    this.#ctx = { target: guards.target };
  }

  async init(): Promise<void> {
    try {
      await this.#inner.init();
    } catch (err) {
      throw mapDriverError(err, this.#ctx);
    }
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    this.#assertOpen();
    if (this.#guards.inTransaction()) {
      throw new DbError(
        'DB_NESTED_TRANSACTION',
        'a query or transaction() was started on the Database while one of its transactions is running: use the trx passed to your transaction function (nested transactions are not supported)',
      );
    }
    let conn: DatabaseConnection;
    try {
      conn = await this.#inner.acquireConnection();
    } catch (err) {
      throw mapDriverError(err, this.#ctx);
    }
    let wrapped = this.#wrapped.get(conn);
    if (wrapped === undefined) {
      wrapped = new GuardedConnection(conn, this.#guards.target);
      this.#wrapped.set(conn, wrapped);
    }
    return wrapped;
  }

  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const begin = this.#guards.begin;
    await this.#call(() =>
      begin ? begin(settings) : this.#inner.beginTransaction(unwrap(conn), settings),
    );
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await this.#call(() => this.#inner.commitTransaction(unwrap(conn)));
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await this.#call(() => this.#inner.rollbackTransaction(unwrap(conn)));
  }

  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    await this.#inner.releaseConnection(unwrap(conn));
  }

  async destroy(): Promise<void> {
    await this.#inner.destroy();
  }

  async #call(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (isAborted(err)) throw err;
      throw mapDriverError(err, this.#ctx);
    }
  }

  #assertOpen(): void {
    if (this.#guards.isClosed()) {
      throw new DbError(
        'DB_CLOSED',
        `${this.#guards.target} was used after close(): open a new Database`,
      );
    }
  }
}

function unwrap(conn: DatabaseConnection): DatabaseConnection {
  return conn instanceof GuardedConnection ? conn.inner : conn;
}

/** The same dialect with its driver wrapped in a GuardedDriver. */
export function guardDialect(
  inner: Dialect,
  guards: DriverGuards,
): { dialect: Dialect; driver: () => GuardedDriver | undefined } {
  let driver: GuardedDriver | undefined;
  const dialect: Dialect = {
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createDriver: () => {
      driver = new GuardedDriver(inner.createDriver(), guards);
      return driver;
    },
  };
  return { dialect, driver: () => driver };
}
