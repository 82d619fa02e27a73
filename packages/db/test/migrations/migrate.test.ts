import assert from 'node:assert/strict';
import { openDatabase, sql } from '@cairn/db';
import type { Database, Migration } from '@cairn/db';
import { assertRejectsCode, forEachDatabase } from '@cairn/testkit';

function tableMigration(id: string, table: string): Migration {
  return {
    id,
    async up(db, { col }) {
      await db.schema
        .createTable(table)
        .addColumn('id', col.autoId.type, col.autoId.modifiers)
        .addColumn('name', col.text, (c) => c.notNull())
        .execute();
    },
  };
}

const M1 = tableMigration('001-widgets', 'widgets');
const M2 = tableMigration('002-gadgets', 'gadgets');
const M3 = tableMigration('003-gizmos', 'gizmos');

async function appliedIds(db: Database, namespace: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`SELECT id FROM cairn_migrations
    WHERE namespace = ${namespace} ORDER BY seq`.execute(db.typed());
  return rows.map((r) => r.id);
}

// Look only in this test's own schema: Kysely's introspector scans every schema
// and fails when a concurrent test drops its schema mid-query.
async function tableCount(db: Database, name: string): Promise<number> {
  const query =
    db.dialect === 'postgres'
      ? sql<{ n: number | string }>`SELECT count(*) AS n FROM information_schema.tables
          WHERE table_schema = current_schema() AND table_name = ${name}`
      : sql<{ n: number | string }>`SELECT count(*) AS n FROM sqlite_master
          WHERE type = 'table' AND name = ${name}`;
  const { rows } = await query.execute(db.typed());
  return Number(rows[0]?.n ?? 0);
}

forEachDatabase(
  'migrate applies each migration once, in order, and re-running is a no-op',
  async (db) => {
    const first = await db.migrate('test', [M1, M2]);
    assert.deepEqual(first.applied, ['001-widgets', '002-gadgets']);
    assert.equal(await tableCount(db, 'widgets'), 1);
    assert.equal(await tableCount(db, 'gadgets'), 1);

    const again = await db.migrate('test', [M1, M2]);
    assert.deepEqual(again.applied, []);

    const more = await db.migrate('test', [M1, M2, M3]);
    assert.deepEqual(more.applied, ['003-gizmos']);
    assert.deepEqual(await appliedIds(db, 'test'), ['001-widgets', '002-gadgets', '003-gizmos']);
  },
);

forEachDatabase('namespaces are independent', async (db) => {
  await db.migrate('one', [M1]);
  const r = await db.migrate('two', [{ id: '001-widgets', up: async () => {} }]);
  assert.deepEqual(r.applied, ['001-widgets']);
  assert.deepEqual(await appliedIds(db, 'one'), ['001-widgets']);
  assert.deepEqual(await appliedIds(db, 'two'), ['001-widgets']);
});

forEachDatabase('a migration inserted before an applied one is DB_MIGRATION_ORDER', async (db) => {
  await db.migrate('test', [M1, M3]);
  const err = await assertRejectsCode(() => db.migrate('test', [M1, M2, M3]), 'DB_MIGRATION_ORDER');
  assert.match(err.message, /add new migrations at the end/);
  // Swapped order of applied ids is also an order error.
  await assertRejectsCode(() => db.migrate('test', [M3, M1]), 'DB_MIGRATION_ORDER');
  assert.equal(await tableCount(db, 'gadgets'), 0, 'nothing was applied');
});

forEachDatabase(
  'an applied migration missing from the list is DB_MIGRATION_MISSING',
  async (db) => {
    await db.migrate('test', [M1, M2]);
    const err = await assertRejectsCode(() => db.migrate('test', [M1]), 'DB_MIGRATION_MISSING');
    assert.match(err.message, /002-gadgets/);
    assert.match(err.message, /never be removed or renamed/);
    await assertRejectsCode(
      () => db.migrate('test', [M1, tableMigration('002-renamed', 'gadgets')]),
      'DB_MIGRATION_MISSING',
    );
  },
);

forEachDatabase('a failing migration is rolled back whole and reported', async (db) => {
  const broken: Migration = {
    id: '002-broken',
    async up(trx) {
      await trx.schema.createTable('half').addColumn('x', 'text').execute();
      await sql`INSERT INTO half (x) VALUES ('written')`.execute(trx);
      throw new Error('boom');
    },
  };
  const err = await assertRejectsCode(
    () => db.migrate('test', [M1, broken]),
    'DB_MIGRATION_FAILED',
  );
  assert.match(err.message, /002-broken.*rolled back.*boom/);
  assert.deepEqual(await appliedIds(db, 'test'), ['001-widgets'], 'the earlier one stays');
  assert.equal(await tableCount(db, 'half'), 0, 'the DDL of the failed migration is gone');

  const fixed = await db.migrate('test', [M1, tableMigration('002-broken', 'half')]);
  assert.deepEqual(fixed.applied, ['002-broken']);
});

forEachDatabase('bad namespace or duplicate ids are INVALID_INPUT', async (db) => {
  await assertRejectsCode(() => db.migrate('Bad Name', [M1]), 'INVALID_INPUT');
  const err = await assertRejectsCode(() => db.migrate('test', [M1, M1]), 'INVALID_INPUT');
  assert.match(err.message, /duplicates/);
});

forEachDatabase(
  'two Database objects migrating at once apply each migration once',
  async (db, _t, config) => {
    const other = await openDatabase(config);
    try {
      let runs = 0;
      const slow: Migration = {
        id: '001-slow',
        async up(trx) {
          runs++;
          await new Promise((r) => setTimeout(r, 50));
          await trx.schema.createTable('slow').addColumn('x', 'text').execute();
        },
      };
      const list = [slow, M2, M3];
      const [a, b] = await Promise.all([db.migrate('race', list), other.migrate('race', list)]);
      assert.equal(runs, 1, 'the slow migration ran once');
      assert.deepEqual(
        [...a.applied, ...b.applied].sort(),
        ['001-slow', '002-gadgets', '003-gizmos'],
        'every migration applied by exactly one of the two',
      );
      assert.deepEqual(await appliedIds(db, 'race'), ['001-slow', '002-gadgets', '003-gizmos']);
    } finally {
      await other.close();
    }
  },
);
