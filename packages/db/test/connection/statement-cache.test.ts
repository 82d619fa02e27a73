import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { openDatabase, sql, StatementCache } from '@cairn/db';
import type { Database, Transaction } from '@cairn/db';
import { assertRejectsCode } from '@cairn/testkit';

function memory(): BetterSqlite3.Database {
  const h = new BetterSqlite3(':memory:');
  h.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  return h;
}

test('statement cache: the same SQL text is compiled once', () => {
  const cache = new StatementCache(memory(), 8);
  const ins = cache.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
  ins.run(1, 'a');
  const again = cache.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
  assert.equal(again, ins, 'the cached statement is returned');
  again.run(2, 'b');
  assert.deepEqual(cache.prepare('SELECT v FROM t ORDER BY id').all(), [{ v: 'a' }, { v: 'b' }]);
  assert.deepEqual(cache.stats(), { hits: 1, misses: 2, size: 2, capacity: 8 });
  cache.close();
});

test('statement cache: bounded, least recently used evicted first', () => {
  const cache = new StatementCache(memory(), 3);
  const q = (n: number) => `SELECT ${n} AS n`;
  const s1 = cache.prepare(q(1));
  cache.prepare(q(2));
  cache.prepare(q(3));
  assert.equal(cache.prepare(q(1)), s1, '1 is now the most recently used');
  cache.prepare(q(4)); // evicts 2, the least recently used
  assert.equal(cache.stats().size, 3);
  const before = cache.stats();
  assert.equal(cache.prepare(q(1)), s1);
  cache.prepare(q(3));
  cache.prepare(q(4));
  assert.equal(cache.stats().hits, before.hits + 3);
  cache.prepare(q(2));
  assert.equal(cache.stats().misses, before.misses + 1, '2 was evicted and is compiled again');
  assert.equal(cache.stats().size, 3);
  for (let i = 10; i < 1000; i++) cache.prepare(q(i));
  assert.equal(cache.stats().size, 3, 'never more than the capacity');
  cache.close();
});

test('statement cache: capacity 0 compiles every time and keeps nothing', () => {
  const cache = new StatementCache(memory(), 0);
  const a = cache.prepare('SELECT 1');
  const b = cache.prepare('SELECT 1');
  assert.notEqual(a, b);
  assert.deepEqual(cache.stats(), { hits: 0, misses: 2, size: 0, capacity: 0 });
  assert.throws(() => new StatementCache(memory(), -1), RangeError);
  cache.close();
});

test('statement cache: errors do not poison it', () => {
  const cache = new StatementCache(memory(), 8);
  assert.throws(() => cache.prepare('SELEC v FROM t'), /syntax error/);
  assert.throws(() => cache.prepare('SELECT v FROM missing'), /no such table/);
  assert.equal(cache.stats().size, 0, 'SQL that does not compile is not cached');
  const ins = cache.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
  ins.run(1, 'a');
  assert.throws(() => cache.prepare('INSERT INTO t (id, v) VALUES (?, ?)').run(1, 'dup'), {
    code: 'SQLITE_CONSTRAINT_PRIMARYKEY',
  });
  assert.throws(() => cache.prepare('INSERT INTO t (id, v) VALUES (?, ?)').run(2, null), {
    code: 'SQLITE_CONSTRAINT_NOTNULL',
  });
  // The statement that failed is still cached and works with good values.
  const reused = cache.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
  assert.equal(reused, ins);
  reused.run(2, 'b');
  assert.deepEqual(cache.prepare('SELECT id FROM t ORDER BY id').pluck().all(), [1, 2]);
  cache.close();
});

test('statement cache: a statement with an open iterator is not handed out twice', () => {
  const h = memory();
  h.exec("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  const cache = new StatementCache(h, 8);
  const text = 'SELECT id FROM t WHERE id >= ? ORDER BY id';
  const outer = cache.prepare(text);
  const seen: number[][] = [];
  for (const row of outer.iterate(1) as IterableIterator<{ id: number }>) {
    const inner = cache.prepare(text);
    assert.notEqual(inner, outer, 'the busy statement is not reused');
    seen.push((inner.all(row.id) as { id: number }[]).map((r) => r.id));
  }
  assert.deepEqual(seen, [[1, 2, 3], [2, 3], [3]]);
  assert.equal(cache.prepare(text), outer, 'once the iterator ended, the cached one is used');
  cache.close();
});

test('statement cache: a cached statement follows schema changes', () => {
  const h = memory();
  const cache = new StatementCache(h, 8);
  h.exec("INSERT INTO t VALUES (1, 'a')");
  assert.deepEqual(cache.prepare('SELECT * FROM t').all(), [{ id: 1, v: 'a' }]);
  h.exec("ALTER TABLE t ADD COLUMN w TEXT NOT NULL DEFAULT 'x'");
  assert.deepEqual(cache.prepare('SELECT * FROM t').all(), [{ id: 1, v: 'a', w: 'x' }]);
  h.exec('DROP TABLE t');
  assert.throws(() => cache.prepare('SELECT * FROM t').all(), /no such table/);
  h.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
  h.exec('INSERT INTO t VALUES (7)');
  assert.deepEqual(cache.prepare('SELECT * FROM t').all(), [{ id: 7 }]);
  cache.close();
});

test('statement cache: close() empties it and closes the handle, idempotently', () => {
  const h = memory();
  const cache = new StatementCache(h, 8);
  cache.prepare('SELECT 1');
  cache.close();
  assert.equal(h.open, false);
  assert.equal(cache.stats().size, 0);
  cache.close();
});

async function withSqliteFile(
  extra: { statementCacheSize?: number },
  fn: (db: Database, path: string) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-db-stmt-'));
  const path = join(dir, 'c.db');
  const db = await openDatabase({ dialect: 'sqlite', path, ...extra });
  try {
    await fn(db, path);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface T {
  t: { id: bigint; v: string };
}

for (const size of [undefined, 0, 2]) {
  test(`SQLite Database with statementCacheSize ${size ?? 'default'}: repeated statements across commits, rollbacks and failures`, () =>
    withSqliteFile(size === undefined ? {} : { statementCacheSize: size }, async (db, path) => {
      const k = db.typed<T>();
      await sql`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`.execute(k);
      const insert = (trx: Transaction<T>, id: number, v: string) =>
        trx
          .insertInto('t')
          .values({ id: BigInt(id), v })
          .execute();
      const count = async () =>
        Number(
          (
            await k
              .selectFrom('t')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      for (let round = 0; round < 3; round++) {
        await db.transaction(async (trx: Transaction<T>) => {
          await insert(trx, round * 10, 'ok');
          await insert(trx, round * 10 + 1, 'ok');
        });
        // Same statements, then a failure: the whole transaction is rolled back...
        await assertRejectsCode(
          () =>
            db.transaction(async (trx: Transaction<T>) => {
              await insert(trx, round * 10 + 2, 'rolled back');
              await insert(trx, round * 10, 'duplicate');
            }),
          'DB_CONSTRAINT',
        );
        // ...and the statement that failed works again at once, inside and outside one.
        await db.transaction(async (trx: Transaction<T>) => {
          await insert(trx, round * 10 + 3, 'ok');
        });
        await k
          .insertInto('t')
          .values({ id: BigInt(round * 10 + 4), v: 'ok' })
          .execute();
      }
      assert.equal(await count(), 12);
      const rows = await k.selectFrom('t').select('v').execute();
      assert.ok(
        rows.every((r) => r.v === 'ok'),
        'no write of a rolled-back transaction survived',
      );
      // A second Database on the same file sees every commit (nothing held open).
      const other = await openDatabase({ dialect: 'sqlite', path });
      try {
        const n = await other.typed<T>().selectFrom('t').select('id').execute();
        assert.equal(n.length, 12);
        await other.transaction(async (trx: Transaction<T>) => {
          await insert(trx, 100, 'ok');
        });
      } finally {
        await other.close();
      }
      assert.equal(await count(), 13);
    }));
}

test('statementCacheSize is validated', async () => {
  await assertRejectsCode(
    () => openDatabase({ dialect: 'sqlite', path: ':memory:', statementCacheSize: -1 }),
    'INVALID_INPUT',
  );
  await assertRejectsCode(
    () => openDatabase({ dialect: 'sqlite', path: ':memory:', statementCacheSize: 1.5 }),
    'INVALID_INPUT',
  );
});
