import { BaseError } from '@cairn/core';

/**
 * Why a database operation failed.
 *
 * - `DB_UNREACHABLE`: the server could not be reached (refused, timed out, DNS) or the
 *   SQLite file could not be opened.
 * - `DB_CONSTRAINT`: a unique, foreign-key, not-null or check constraint was violated;
 *   `details.constraint` names it when the driver says which.
 * - `DB_SERIALIZATION`: a PostgreSQL transaction kept failing with a serialization
 *   failure (40001) or deadlock (40P01) after every allowed retry.
 * - `DB_BUSY`: SQLite could not get the write lock within `busyTimeoutMs`.
 * - `DB_NESTED_TRANSACTION`: `transaction()` or a query on the `Database` was used
 *   inside a transaction of the same database instead of the `trx` argument.
 * - `DB_MIGRATION_FAILED`: a migration threw; it was rolled back.
 * - `DB_MIGRATION_ORDER`: applied migrations are not a prefix of the given list.
 * - `DB_MIGRATION_MISSING`: a migration recorded as applied is not in the given list.
 * - `DB_BAD_VALUE`: a value could not be encoded for, or decoded from, a column.
 * - `DB_QUERY_FAILED`: any other error reported by the database for a statement.
 * - `DB_CLOSED`: the `Database` was used after `close()`.
 */
export type DbErrorCode =
  | 'DB_UNREACHABLE'
  | 'DB_CONSTRAINT'
  | 'DB_SERIALIZATION'
  | 'DB_BUSY'
  | 'DB_NESTED_TRANSACTION'
  | 'DB_MIGRATION_FAILED'
  | 'DB_MIGRATION_ORDER'
  | 'DB_MIGRATION_MISSING'
  | 'DB_BAD_VALUE'
  | 'DB_QUERY_FAILED'
  | 'DB_CLOSED';

/** Every error @cairn/db throws on purpose. */
export class DbError extends BaseError<DbErrorCode> {}
