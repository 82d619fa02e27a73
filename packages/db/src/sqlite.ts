import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import type { Dialect } from 'kysely';
import type { SqliteConfig } from './config.js';
import { DbError } from './errors.js';
import { mapDriverError } from './driver-errors.js';
import { DEFAULT_STATEMENT_CACHE_SIZE, StatementCache } from './statement-cache.js';

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** An opened SQLite file: the raw handle, its statement cache and its Kysely dialect. */
export interface SqliteParts {
  readonly handle: BetterSqlite3.Database;
  /** Kysely prepares every statement through this cache (and so does beginImmediate). */
  readonly statements: StatementCache;
  readonly dialect: Dialect;
  readonly target: string;
  readonly busyTimeoutMs: number;
}

function isMemory(path: string): boolean {
  return path === ':memory:';
}

/**
 * Create the parent directory (0700) and the file (0600) before SQLite does, so the
 * database, its -wal and -shm files (SQLite copies the main file's mode) are private.
 */
function prepareFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const fd = openSync(file, 'a', 0o600);
  closeSync(fd);
}

/**
 * Open the file with the settings durability needs: WAL, synchronous=FULL (a commit
 * has reached the disk when it returns), foreign keys on, a busy timeout, and 64-bit
 * integers read back as bigint (safe integers).
 */
export function openSqlite(config: SqliteConfig): SqliteParts {
  const memory = isMemory(config.path);
  const file = memory ? config.path : resolve(config.path);
  const target = `SQLite database ${file}`;
  const busyTimeoutMs = config.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  let handle: BetterSqlite3.Database;
  try {
    if (!memory) prepareFile(file);
    handle = new BetterSqlite3(file);
  } catch (err) {
    throw new DbError(
      'DB_UNREACHABLE',
      `${target} could not be opened: ${err instanceof Error ? err.message : String(err)}; check the path and its permissions`,
      { cause: err },
    );
  }
  try {
    handle.pragma(`busy_timeout = ${busyTimeoutMs}`);
    if (!memory) {
      const mode = handle.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') {
        throw new DbError(
          'DB_UNREACHABLE',
          `${target} refused WAL mode (journal_mode is ${String(mode)}): is it on a network file system?`,
        );
      }
    }
    handle.pragma('synchronous = FULL');
    handle.pragma('foreign_keys = ON');
    handle.defaultSafeIntegers(true);
  } catch (err) {
    handle.close();
    throw mapDriverError(err, { target });
  }
  const statements = new StatementCache(
    handle,
    config.statementCacheSize ?? DEFAULT_STATEMENT_CACHE_SIZE,
  );
  return {
    handle,
    statements,
    dialect: new SqliteDialect({ database: statements }),
    target,
    busyTimeoutMs,
  };
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * BEGIN DEFERRED for read-only transactions: in WAL mode the first read fixes a snapshot
 * and no lock blocks writers. (SQLite does not refuse a write here; it would take the
 * write lock then. PostgreSQL refuses writes in a READ ONLY transaction.)
 */
export function beginDeferred(parts: SqliteParts): Promise<void> {
  parts.statements.prepare('BEGIN DEFERRED').run();
  return Promise.resolve();
}

/**
 * BEGIN IMMEDIATE: take the write lock up front so concurrent writers queue instead
 * of failing at their first write. better-sqlite3 is synchronous, so the busy handler
 * would block the event loop (and deadlock two Database objects in one process);
 * instead we try without waiting and retry asynchronously until busyTimeoutMs.
 */
export async function beginImmediate(parts: SqliteParts): Promise<void> {
  const { statements, busyTimeoutMs, target } = parts;
  const deadline = Date.now() + busyTimeoutMs;
  let delay = 1;
  for (;;) {
    // Prepared (and cached) statements: these three run before every transaction.
    statements.prepare('PRAGMA busy_timeout = 0').get();
    try {
      statements.prepare('BEGIN IMMEDIATE').run();
      return;
    } catch (err) {
      if (!isBusy(err)) throw err;
      if (Date.now() >= deadline) {
        throw new DbError(
          'DB_BUSY',
          `${target}: another writer held the write lock for more than ${busyTimeoutMs} ms; raise busyTimeoutMs or keep write transactions short`,
          { cause: err },
        );
      }
    } finally {
      statements.prepare(`PRAGMA busy_timeout = ${busyTimeoutMs}`).get();
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 50);
  }
}
