import { setTimeout as sleep } from 'node:timers/promises';
import { isCairnError } from '@cairn/core';
import { DbError } from './errors.js';

/** PostgreSQL isolation levels we offer. SQLite transactions are always serializable. */
export type IsolationLevel = 'serializable' | 'repeatable read' | 'read committed';

export interface TransactionOptions {
  /**
   * PostgreSQL isolation level. Default `'serializable'`, the guarantee SQLite gives,
   * so code tested on one dialect behaves the same on the other. Ignored on SQLite.
   */
  readonly isolation?: IsolationLevel;
  /**
   * How many times to re-run the function after a serialization failure (40001) or
   * deadlock (40P01) on PostgreSQL. Default 10. 0 disables retries.
   */
  readonly maxRetries?: number;
  /**
   * A read-only transaction: PostgreSQL READ ONLY (with isolation 'repeatable read' or
   * 'serializable' every statement reads one snapshot); SQLite BEGIN DEFERRED, which in
   * WAL mode reads one snapshot from the first read on without taking the write lock, so
   * writers carry on. PostgreSQL refuses writes; SQLite does not check (a write would
   * take the write lock then), so write nothing. Default false.
   */
  readonly readOnly?: boolean;
}

export const DEFAULT_MAX_RETRIES = 10;
const ISOLATION_LEVELS: readonly string[] = ['serializable', 'repeatable read', 'read committed'];

export interface ResolvedTransactionOptions {
  readonly isolation: IsolationLevel;
  readonly maxRetries: number;
  readonly readOnly: boolean;
}

export function resolveTransactionOptions(
  options: TransactionOptions | undefined,
): ResolvedTransactionOptions {
  const isolation = options?.isolation ?? 'serializable';
  const maxRetries = options?.maxRetries ?? DEFAULT_MAX_RETRIES;
  if (!ISOLATION_LEVELS.includes(isolation)) {
    throw new DbError(
      'DB_BAD_VALUE',
      `transaction isolation must be one of ${ISOLATION_LEVELS.join(', ')}, got ${isolation}`,
    );
  }
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 1000) {
    throw new DbError(
      'DB_BAD_VALUE',
      `transaction maxRetries must be an integer from 0 to 1000, got ${maxRetries}`,
    );
  }
  const readOnly = options?.readOnly ?? false;
  if (typeof readOnly !== 'boolean') {
    throw new DbError(
      'DB_BAD_VALUE',
      `transaction readOnly must be a boolean, got ${String(readOnly)}`,
    );
  }
  return { isolation, maxRetries, readOnly };
}

/**
 * Run `attempt` and re-run it after DB_SERIALIZATION failures, with full-jitter
 * exponential backoff (2 ms doubling, capped at 250 ms), at most `maxRetries` times.
 * After the last failure the error says how many attempts were made.
 */
export async function withRetries<R>(attempt: () => Promise<R>, maxRetries: number): Promise<R> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isCairnError(err, 'DB_SERIALIZATION')) throw err;
      if (retry >= maxRetries) {
        throw new DbError(
          'DB_SERIALIZATION',
          `transaction gave up after ${retry + 1} attempts: ${err.message}; reduce contention on the rows it touches or raise maxRetries`,
          { cause: err, details: { attempts: retry + 1, ...err.details } },
        );
      }
      const cap = Math.min(250, 2 * 2 ** retry);
      await sleep(Math.random() * cap);
    }
  }
}
