import { ValidationError } from '@cairn/core';
import type { FieldIssue } from '@cairn/core';

/** The embedded default: one SQLite file (or `:memory:`). */
export interface SqliteConfig {
  readonly dialect: 'sqlite';
  /** File path (parent directories are created, the file is created mode 0600) or `:memory:`. */
  readonly path: string;
  /** How long a writer waits for another process's write lock. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /**
   * Prepared statements kept, by SQL text, in an LRU cache (a query run again is not
   * compiled again). Default 256; 0 turns the cache off.
   */
  readonly statementCacheSize?: number;
}

/** The scale-out option: a PostgreSQL server. */
export interface PostgresConfig {
  readonly dialect: 'postgres';
  /** `postgres://user[:password]@host:port/database`; the password never appears in errors. */
  readonly connectionString: string;
  /** Schema every pooled connection uses (search_path); created if missing. */
  readonly schema?: string;
  /** Maximum pooled connections. Default 10. */
  readonly poolSize?: number;
  /** How long to wait for a connection to the server. Default 10000 ms. */
  readonly connectTimeoutMs?: number;
}

export type DatabaseConfig = SqliteConfig | PostgresConfig;

export type Dialect = DatabaseConfig['dialect'];

/** PostgreSQL identifiers we create ourselves: lower-case, unquoted-safe, <= 63 bytes. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function intIn(
  issues: FieldIssue[],
  path: string,
  v: number | undefined,
  min: number,
  max: number,
): void {
  if (v === undefined) return;
  if (!Number.isInteger(v) || v < min || v > max) {
    issues.push({ path, problem: `must be an integer from ${min} to ${max}, got ${v}` });
  }
}

/** Check a config at the boundary; throws ValidationError naming every bad field. */
export function assertDatabaseConfig(config: unknown): asserts config is DatabaseConfig {
  const issues: FieldIssue[] = [];
  if (typeof config !== 'object' || config === null) {
    throw new ValidationError('database config', [
      { path: '', problem: 'must be an object with a dialect' },
    ]);
  }
  const c = config as Record<string, unknown>;
  if (c['dialect'] === 'sqlite') {
    const path = c['path'];
    if (typeof path !== 'string' || path === '' || path.includes('\0')) {
      issues.push({ path: 'path', problem: 'must be a non-empty file path or ":memory:"' });
    }
    intIn(issues, 'busyTimeoutMs', c['busyTimeoutMs'] as number | undefined, 0, 600_000);
    intIn(issues, 'statementCacheSize', c['statementCacheSize'] as number | undefined, 0, 100_000);
  } else if (c['dialect'] === 'postgres') {
    const cs = c['connectionString'];
    if (typeof cs !== 'string' || !/^postgres(ql)?:\/\//.test(cs)) {
      issues.push({
        path: 'connectionString',
        problem: 'must be a postgres:// or postgresql:// URL',
      });
    }
    const schema = c['schema'];
    if (schema !== undefined && (typeof schema !== 'string' || !SCHEMA_NAME.test(schema))) {
      issues.push({
        path: 'schema',
        problem: 'must match [a-z_][a-z0-9_]* and be at most 63 characters',
      });
    }
    intIn(issues, 'poolSize', c['poolSize'] as number | undefined, 1, 1000);
    intIn(issues, 'connectTimeoutMs', c['connectTimeoutMs'] as number | undefined, 1, 600_000);
  } else {
    issues.push({ path: 'dialect', problem: 'must be "sqlite" or "postgres"' });
  }
  if (issues.length > 0) throw new ValidationError('database config', issues);
}
