import type { TransactionOptions } from '@cairn/db';

/**
 * How verifiers read a log: one read-only snapshot (PostgreSQL REPEATABLE READ READ ONLY,
 * SQLite BEGIN DEFERRED in WAL mode), which does not block a service appending meanwhile.
 */
export const SNAPSHOT: TransactionOptions = Object.freeze({
  readOnly: true,
  isolation: 'repeatable read',
});
