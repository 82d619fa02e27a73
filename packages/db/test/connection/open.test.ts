import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase, sql } from '@cairn/db';
import type { DatabaseConfig } from '@cairn/db';
import {
  assertRejectsCode,
  forEachDatabase,
  postgresAvailable,
  requireCondition,
  testPostgresUrl,
  withTestDatabase,
} from '@cairn/testkit';

forEachDatabase('durability settings are in force', async (db) => {
  const k = db.typed();
  if (db.dialect === 'sqlite') {
    const pragma = async (name: string) => {
      const { rows } = await sql<Record<string, unknown>>`${sql.raw(`PRAGMA ${name}`)}`.execute(k);
      return Object.values(rows[0] ?? {})[0];
    };
    assert.equal(await pragma('journal_mode'), 'wal');
    assert.equal(await pragma('synchronous'), 2n, 'synchronous=FULL');
    assert.equal(await pragma('foreign_keys'), 1n);
    assert.equal(await pragma('busy_timeout'), 5000n);
  } else {
    const { rows } = await sql<{ fsync: string; synchronous_commit: string }>`SELECT
      current_setting('fsync') AS fsync,
      current_setting('synchronous_commit') AS synchronous_commit`.execute(k);
    // Server-wide settings we rely on for "durable before returned" (not ours to set).
    const row = rows[0];
    assert.ok(row);
    assert.equal(row.fsync, 'on');
    assert.notEqual(row.synchronous_commit, 'off');
  }
});

test('PostgreSQL connections use the configured schema [postgres]', (t) =>
  withTestDatabase('postgres', t, async (db, config) => {
    const { rows } = await sql<{ s: string }>`SELECT current_schema() AS s`.execute(db.typed());
    assert.ok(config.dialect === 'postgres');
    assert.equal(rows[0]?.s, config.schema);
  }));

test('SQLite creates its directory and a private (0600) file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-db-open-'));
  try {
    const path = join(dir, 'a', 'b', 'cairn.db');
    const db = await openDatabase({ dialect: 'sqlite', path });
    try {
      await sql`CREATE TABLE t (x INTEGER)`.execute(db.typed());
      await sql`INSERT INTO t VALUES (1)`.execute(db.typed());
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(statSync(`${path}-wal`).mode & 0o777, 0o600, 'the WAL file too');
      assert.equal(statSync(join(dir, 'a', 'b')).mode & 0o777, 0o700);
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SQLite :memory: works (no file, no WAL)', async () => {
  const db = await openDatabase({ dialect: 'sqlite', path: ':memory:' });
  try {
    const { rows } = await sql<{ v: bigint }>`SELECT 1 + 1 AS v`.execute(db.typed());
    assert.equal(rows[0]?.v, 2n);
  } finally {
    await db.close();
  }
});

test('an unopenable SQLite path is DB_UNREACHABLE', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-db-open-'));
  try {
    // A directory where the file should be.
    const err = await assertRejectsCode(
      () => openDatabase({ dialect: 'sqlite', path: dir }),
      'DB_UNREACHABLE',
    );
    assert.match(err.message, /could not be opened/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unreachable PostgreSQL is DB_UNREACHABLE with a clear message', async () => {
  const err = await assertRejectsCode(
    () =>
      openDatabase({
        dialect: 'postgres',
        connectionString: 'postgres://cairn:s3cret@127.0.0.1:1/cairn',
      }),
    'DB_UNREACHABLE',
  );
  assert.match(err.message, /PostgreSQL at 127\.0\.0\.1:1\/cairn refused the connection/);
  assert.match(err.message, /is the server running/);
  assert.doesNotMatch(err.message, /s3cret/, 'the password is never shown');
});

test('a missing PostgreSQL database is DB_UNREACHABLE naming the fix', async (t) => {
  if (!requireCondition(t, await postgresAvailable(), `PostgreSQL at ${testPostgresUrl()}`)) return;
  const url = new URL(testPostgresUrl());
  url.pathname = '/cairn_no_such_database';
  const err = await assertRejectsCode(
    () => openDatabase({ dialect: 'postgres', connectionString: url.toString() }),
    'DB_UNREACHABLE',
  );
  assert.match(err.message, /has no such database/);
});

test('invalid configs report every bad field', async () => {
  const err = await assertRejectsCode(
    () =>
      openDatabase({
        dialect: 'postgres',
        connectionString: 'mysql://x',
        schema: 'Robert"); DROP TABLE',
        poolSize: 0,
      }),
    'INVALID_INPUT',
  );
  assert.match(err.message, /connectionString/);
  assert.match(err.message, /schema/);
  assert.match(err.message, /poolSize/);
  await assertRejectsCode(
    () => openDatabase({ dialect: 'oracle' } as unknown as DatabaseConfig),
    'INVALID_INPUT',
  );
  await assertRejectsCode(() => openDatabase({ dialect: 'sqlite', path: '' }), 'INVALID_INPUT');
});
