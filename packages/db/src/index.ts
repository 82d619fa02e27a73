// @cairn/db public API. Explicit named exports only (no `export *`).
export { openDatabase } from './database.js';
export type { Database } from './database.js';
export { assertDatabaseConfig, SCHEMA_NAME } from './config.js';
export type { DatabaseConfig, Dialect, PostgresConfig, SqliteConfig } from './config.js';
export { DbError } from './errors.js';
export { DEFAULT_STATEMENT_CACHE_SIZE, StatementCache } from './statement-cache.js';
export type { StatementCacheStats } from './statement-cache.js';
export type { DbErrorCode } from './errors.js';
export { DEFAULT_MAX_RETRIES } from './transaction.js';
export type { IsolationLevel, TransactionOptions } from './transaction.js';
export { MIGRATIONS_TABLE } from './migrations.js';
export type { Migration, MigrationContext, MigrationResult } from './migrations.js';
export {
  columnTypes,
  fromDbBigint,
  fromDbBytes,
  fromDbJson,
  fromDbTimestamp,
  fromDbUint64,
  INT64_MAX,
  INT64_MIN,
  toDbBigint,
  toDbBytes,
  toDbJson,
  toDbTimestamp,
  toDbUint64,
  UINT64_MAX,
} from './columns.js';
export type { ColumnTypeName, ColumnTypes } from './columns.js';
// Kysely re-exported so dependents need not declare it themselves.
export { CompiledQuery, sql } from 'kysely';
export type {
  ColumnType,
  QueryResult,
  Generated,
  Insertable,
  Kysely,
  Selectable,
  Transaction,
  Updateable,
} from 'kysely';
