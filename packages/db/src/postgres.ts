import pg from 'pg';
import { PostgresDialect } from 'kysely';
import type { Dialect } from 'kysely';
import type { PostgresConfig } from './config.js';
import { isConnectionError, mapDriverError, unreachableError } from './driver-errors.js';

export const DEFAULT_POOL_SIZE = 10;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

const INT8_OID = 20;

/**
 * Per-pool type parsers (the global pg.types is left alone): int8 (BIGINT, count(*),
 * identity columns) is parsed to a JS bigint so no 64-bit value loses precision;
 * every other type keeps pg's default.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (oid === INT8_OID && format !== 'binary') return (v: string) => BigInt(v);
    const builtin = pg.types.getTypeParser as (
      oid: number,
      format: 'text' | 'binary',
    ) => (value: string) => unknown;
    return builtin(oid, format ?? 'text');
  },
};

export interface PostgresParts {
  readonly pool: pg.Pool;
  readonly dialect: Dialect;
  readonly target: string;
}

/** `PostgreSQL at host:port/database` without user or password. */
function describe(connectionString: string): string {
  const params = new pg.Client({ connectionString });
  return `PostgreSQL at ${params.host}:${params.port}/${params.database ?? ''}`;
}

export function openPostgres(config: PostgresConfig): PostgresParts {
  const target = describe(config.connectionString);
  const pool = new pg.Pool({
    connectionString: config.connectionString,
    max: config.poolSize ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: config.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    types,
    // Every pooled connection uses the schema; the name is validated (SCHEMA_NAME).
    ...(config.schema === undefined ? {} : { options: `-c search_path=${config.schema}` }),
  });
  // An idle client that loses its connection emits 'error' on the pool; unhandled it
  // would crash the process. The pool drops that client and the next query reconnects.
  pool.on('error', () => undefined);
  return { pool, dialect: new PostgresDialect({ pool }), target };
}

/**
 * Connect once (so a wrong address fails at open with DB_UNREACHABLE) and create the
 * schema when one is configured. Concurrent creators are fine: "already exists" races
 * are ignored.
 */
export async function preparePostgres(parts: PostgresParts, schema?: string): Promise<void> {
  let client: pg.PoolClient;
  try {
    client = await parts.pool.connect();
  } catch (err) {
    throw unreachableError(err, { target: parts.target });
  }
  try {
    if (schema !== undefined) {
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (code !== '23505' && code !== '42P06') throw err;
      }
    } else {
      await client.query('SELECT 1');
    }
  } catch (err) {
    throw isConnectionError(err)
      ? unreachableError(err, { target: parts.target })
      : mapDriverError(err, { target: parts.target });
  } finally {
    client.release();
  }
}
