import { DbError } from './errors.js';

/** Where a driver error happened, for the message. Never contains a password. */
export interface ErrorContext {
  /** `PostgreSQL at host:port/db` or `SQLite database /path`. */
  readonly target: string;
  readonly sql?: string;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
]);

const PG_CONSTRAINT: Readonly<Record<string, string>> = {
  '23505': 'unique',
  '23503': 'foreign-key',
  '23502': 'not-null',
  '23514': 'check',
  '23P01': 'exclusion',
};

/** SQLite extended codes to the same kinds PostgreSQL reports (a primary key is unique). */
const SQLITE_CONSTRAINT: Readonly<Record<string, string>> = {
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_ROWID: 'unique',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign-key',
  SQLITE_CONSTRAINT_NOTNULL: 'not-null',
  SQLITE_CONSTRAINT_CHECK: 'check',
};

function field(err: unknown, name: string): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const v = (err as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function shortSql(sql: string | undefined): string {
  if (sql === undefined) return '';
  const one = sql.replace(/\s+/g, ' ').trim();
  return ` (in: ${one.length > 160 ? `${one.slice(0, 160)}...` : one})`;
}

/** True for errors that mean "the database server cannot be reached". */
export function isConnectionError(err: unknown): boolean {
  const code = field(err, 'code');
  if (code !== undefined && NETWORK_CODES.has(code)) return true;
  if (code !== undefined && (code.startsWith('08') || code === '57P01' || code === '57P03')) {
    return true;
  }
  const msg = messageOf(err);
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/i.test(
    msg,
  );
}

/** The DbError for a failure to connect (pool connect, first query, open). */
export function unreachableError(err: unknown, ctx: ErrorContext): DbError {
  const code = field(err, 'code');
  let why: string;
  let hint: string;
  if (code === 'ECONNREFUSED') {
    why = 'refused the connection';
    hint = 'is the server running and listening on that address?';
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    why = 'has a host name that does not resolve';
    hint = 'check the host in the connection string';
  } else if (code === '28P01' || code === '28000') {
    why = 'rejected the credentials';
    hint = 'check the user and password in the connection string and pg_hba.conf';
  } else if (code === '3D000') {
    why = 'has no such database';
    hint = 'create it (createdb) or fix the database name in the connection string';
  } else if (/timeout/i.test(messageOf(err)) || code === 'ETIMEDOUT') {
    why = 'did not answer in time';
    hint = 'is the host reachable and the port open?';
  } else {
    why = `could not be used (${messageOf(err)})`;
    hint = 'check that the server is running and reachable';
  }
  return new DbError('DB_UNREACHABLE', `${ctx.target} ${why}: ${hint}`, {
    cause: err,
    details: code === undefined ? {} : { driverCode: code },
  });
}

/**
 * Map an error thrown by better-sqlite3 or pg into a DbError. DbErrors pass through
 * unchanged; anything else becomes DB_QUERY_FAILED with the driver error as `cause`.
 */
export function mapDriverError(err: unknown, ctx: ErrorContext): DbError {
  if (err instanceof DbError) return err;
  const code = field(err, 'code');
  const msg = messageOf(err);

  // PostgreSQL SQLSTATE codes.
  if (code !== undefined && code in PG_CONSTRAINT) {
    const constraint = field(err, 'constraint');
    const table = field(err, 'table');
    const detail = field(err, 'detail');
    return new DbError(
      'DB_CONSTRAINT',
      `${PG_CONSTRAINT[code] ?? 'a'} constraint ${constraint === undefined ? '' : `"${constraint}" `}violated${table === undefined ? '' : ` on table ${table}`}: ${detail ?? msg}`,
      {
        cause: err,
        details: { kind: PG_CONSTRAINT[code], sqlstate: code, constraint, table },
      },
    );
  }
  if (code === '40001' || code === '40P01') {
    return new DbError(
      'DB_SERIALIZATION',
      `${code === '40001' ? 'serialization failure' : 'deadlock detected'} (${code}): ${msg}; the transaction can be retried`,
      { cause: err, details: { sqlstate: code } },
    );
  }

  // better-sqlite3: SqliteError with code SQLITE_*.
  if (code?.startsWith('SQLITE_CONSTRAINT') === true) {
    const kind =
      SQLITE_CONSTRAINT[code] ??
      (code.slice('SQLITE_CONSTRAINT_'.length).toLowerCase() || 'unknown');
    const named = /constraint failed: (.+)$/.exec(msg);
    const constraint = named?.[1];
    return new DbError(
      'DB_CONSTRAINT',
      `${kind} constraint ${constraint === undefined ? '' : `"${constraint}" `}violated: ${msg}`,
      {
        cause: err,
        details: { kind, sqliteCode: code, constraint },
      },
    );
  }
  if (code?.startsWith('SQLITE_BUSY') === true || code?.startsWith('SQLITE_LOCKED') === true) {
    return new DbError(
      'DB_BUSY',
      `${ctx.target} is locked by another writer (${code}): raise busyTimeoutMs or keep write transactions short`,
      { cause: err, details: { sqliteCode: code } },
    );
  }

  if (isConnectionError(err)) return unreachableError(err, ctx);

  return new DbError('DB_QUERY_FAILED', `${ctx.target}: ${msg}${shortSql(ctx.sql)}`, {
    cause: err,
    details: code === undefined ? {} : { driverCode: code },
  });
}
