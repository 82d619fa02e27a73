import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { isCairnError } from '@cairn/core';
import { openDatabase, sql } from '@cairn/db';
import type { Database, DatabaseConfig, Dialect } from '@cairn/db';
import { requireCondition } from './system-tools.js';

/** The PostgreSQL the tests use: $CAIRN_TEST_PG or the local trust-auth `test` db. */
export function testPostgresUrl(): string {
  return process.env['CAIRN_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';
}

function pgHint(): string {
  let where = 'the configured server';
  try {
    const u = new URL(testPostgresUrl());
    where = `${u.hostname}:${u.port || '5432'}`;
  } catch {
    // keep the generic wording for a malformed URL
  }
  return `PostgreSQL at ${where} (start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start; or set CAIRN_TEST_PG)`;
}

let probe: Promise<boolean> | undefined;

/** Whether the test PostgreSQL answers (checked once per process). */
export function postgresAvailable(): Promise<boolean> {
  probe ??= (async () => {
    try {
      const db = await openDatabase({
        dialect: 'postgres',
        connectionString: testPostgresUrl(),
        connectTimeoutMs: 3000,
        poolSize: 1,
      });
      await db.close();
      return true;
    } catch (err) {
      if (isCairnError(err, 'DB_UNREACHABLE')) return false;
      throw err;
    }
  })();
  return probe;
}

export interface TestDatabaseOptions {
  /** PostgreSQL pool size for the test database (default: the package default). */
  readonly poolSize?: number;
}

/**
 * A fresh, private database of the given dialect for one test, removed afterwards:
 * SQLite in a new temp directory (in a subdirectory, so parent creation is exercised),
 * PostgreSQL in a new schema `t_<random>` dropped with everything in it. Returns
 * undefined when PostgreSQL is unreachable (the test is then skipped, or failed under
 * CI=true). `config` lets a test open more Database objects on the same data.
 */
export async function withTestDatabase(
  dialect: Dialect,
  t: TestContext,
  fn: (db: Database, config: DatabaseConfig) => Promise<void>,
  options: TestDatabaseOptions = {},
): Promise<void> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-db-'));
    const config: DatabaseConfig = { dialect: 'sqlite', path: join(dir, 'data', 'cairn.db') };
    try {
      const db = await openDatabase(config);
      try {
        await fn(db, config);
      } finally {
        await db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  if (!requireCondition(t, await postgresAvailable(), pgHint())) return;
  const schema = `t_${randomBytes(8).toString('hex')}`;
  const config: DatabaseConfig = {
    dialect: 'postgres',
    connectionString: testPostgresUrl(),
    schema,
    ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
  };
  try {
    const db = await openDatabase(config);
    try {
      await fn(db, config);
    } finally {
      await db.close();
    }
  } finally {
    const admin = await openDatabase({
      dialect: 'postgres',
      connectionString: testPostgresUrl(),
      poolSize: 1,
    });
    try {
      await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(admin.typed());
    } finally {
      await admin.close();
    }
  }
}

/**
 * Register `${name} [sqlite]` and `${name} [postgres]` node:test tests, each running
 * `fn` on a fresh database (see withTestDatabase).
 */
export function forEachDatabase(
  name: string,
  fn: (db: Database, t: TestContext, config: DatabaseConfig) => Promise<void>,
  options: TestDatabaseOptions = {},
): void {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    void test(`${name} [${dialect}]`, (t) =>
      withTestDatabase(dialect, t, (db, config) => fn(db, t, config), options));
  }
}
