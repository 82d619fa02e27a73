import assert from 'node:assert/strict';
import { fromDbBigint, openDatabase, sql } from '@cairn/db';
import type { Database, DbError, Generated, Kysely, Migration, Transaction } from '@cairn/db';
import { test } from 'node:test';
import { assertRejectsCode, forEachDatabase, withTestDatabase } from '@cairn/testkit';

interface Tables {
  account: { name: string; balance: bigint };
  entry: { id: Generated<bigint>; account: string; amount: bigint };
  counter: { name: string; n: bigint };
}

const SCHEMA: Migration[] = [
  {
    id: '001',
    async up(db, { col }) {
      await db.schema
        .createTable('account')
        .addColumn('name', col.text, (c) => c.primaryKey())
        .addColumn('balance', col.bigint, (c) => c.notNull().check(sql`balance >= 0`))
        .execute();
      await db.schema
        .createTable('entry')
        .addColumn('id', col.autoId.type, col.autoId.modifiers)
        .addColumn('account', col.text, (c) => c.notNull().references('account.name'))
        .addColumn('amount', col.bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('counter')
        .addColumn('name', col.text, (c) => c.primaryKey())
        .addColumn('n', col.bigint, (c) => c.notNull())
        .execute();
    },
  },
];

async function setup(db: Database): Promise<Kysely<Tables>> {
  await db.migrate('tx-test', SCHEMA);
  const k = db.typed<Tables>();
  await k.insertInto('account').values({ name: 'a', balance: 10n }).execute();
  return k;
}

async function balance(k: Kysely<Tables>, name: string): Promise<bigint> {
  const row = await k
    .selectFrom('account')
    .select('balance')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return fromDbBigint(row.balance);
}

forEachDatabase('a transaction commits all its writes and returns its result', async (db) => {
  const k = await setup(db);
  const result = await db.transaction(async (trx: Transaction<Tables>) => {
    await trx.updateTable('account').set({ balance: 15n }).where('name', '=', 'a').execute();
    await trx.insertInto('entry').values({ account: 'a', amount: 5n }).execute();
    return 'done';
  });
  assert.equal(result, 'done');
  assert.equal(await balance(k, 'a'), 15n);
  const entries = await k.selectFrom('entry').selectAll().execute();
  assert.equal(entries.length, 1);
  assert.equal(fromDbBigint(entries[0]!.id), 1n, 'autoId starts at 1 and reads back as bigint');
});

forEachDatabase('an exception rolls back every write of the transaction', async (db) => {
  const k = await setup(db);
  const boom = new Error('boom');
  await assert.rejects(
    db.transaction(async (trx: Transaction<Tables>) => {
      await trx.updateTable('account').set({ balance: 99n }).where('name', '=', 'a').execute();
      await trx.insertInto('entry').values({ account: 'a', amount: 89n }).execute();
      throw boom;
    }),
    (err) => err === boom,
  );
  assert.equal(await balance(k, 'a'), 10n);
  assert.equal((await k.selectFrom('entry').selectAll().execute()).length, 0);
});

forEachDatabase('a constraint violation is DB_CONSTRAINT and rolls back', async (db) => {
  const k = await setup(db);
  const unique = await assertRejectsCode(
    () => k.insertInto('account').values({ name: 'a', balance: 1n }).execute(),
    'DB_CONSTRAINT',
  );
  assert.equal(unique.details?.['kind'], 'unique');
  const fk = await assertRejectsCode(
    () =>
      db.transaction(async (trx: Transaction<Tables>) => {
        await trx.updateTable('account').set({ balance: 0n }).where('name', '=', 'a').execute();
        await trx.insertInto('entry').values({ account: 'nobody', amount: 1n }).execute();
      }),
    'DB_CONSTRAINT',
  );
  assert.equal(fk.details?.['kind'], 'foreign-key');
  assert.equal(await balance(k, 'a'), 10n, 'the update before the violation was rolled back');
  const check = await assertRejectsCode(
    () => k.updateTable('account').set({ balance: -1n }).where('name', '=', 'a').execute(),
    'DB_CONSTRAINT',
  );
  assert.equal(check.details?.['kind'], 'check');
  const expected = db.dialect === 'postgres' ? 'account_pkey' : 'account.name';
  // PostgreSQL names the constraint, SQLite the column.
  assert.equal(unique.details['constraint'], expected);
});

forEachDatabase(
  'nested transactions and Database queries inside a transaction are rejected',
  async (db) => {
    const k = await setup(db);
    await assertRejectsCode(
      () => db.transaction(() => db.transaction(() => Promise.resolve(1))),
      'DB_NESTED_TRANSACTION',
    );
    await assertRejectsCode(
      () =>
        db.transaction(async (trx: Transaction<Tables>) => {
          await trx.updateTable('account').set({ balance: 1n }).where('name', '=', 'a').execute();
          // Using the Database instead of trx would deadlock on SQLite; it must fail fast.
          await balance(k, 'a');
        }),
      'DB_NESTED_TRANSACTION',
    );
    assert.equal(await balance(k, 'a'), 10n, 'the outer transaction rolled back');
    await db.transaction(async (trx: Transaction<Tables>) => {
      assert.equal(await balance(trx, 'a'), 10n, 'the trx itself works');
    });
  },
);

forEachDatabase(
  'work a transaction leaves running may use the Database once the transaction has ended',
  async (db) => {
    const k = await setup(db);
    let later: Promise<bigint> | undefined;
    await db.transaction(async (trx: Transaction<Tables>) => {
      await trx.updateTable('account').set({ balance: 7n }).where('name', '=', 'a').execute();
      // started inside the transaction, runs after its commit: not nested use
      later = new Promise<void>((r) => setTimeout(r, 20)).then(() => balance(k, 'a'));
    });
    assert.equal(await later, 7n);
    // and the guard is back for the next transaction
    await assertRejectsCode(() => db.transaction(() => balance(k, 'a')), 'DB_NESTED_TRANSACTION');
    // with two transactions in flight, the end of one keeps the other one guarded (on
    // SQLite the second waits for the first, on PostgreSQL they overlap)
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const short = db.transaction(() => Promise.resolve());
    const long = db.transaction(async () => {
      await gate;
      return balance(k, 'a');
    });
    await short;
    release();
    await assertRejectsCode(() => long, 'DB_NESTED_TRANSACTION');
  },
);

forEachDatabase('use after close() is DB_CLOSED', async (_db, _t, config) => {
  const db = await openDatabase(config);
  const k = await setup(db);
  await db.close();
  await db.close();
  await assertRejectsCode(() => k.selectFrom('account').selectAll().execute(), 'DB_CLOSED');
  await assertRejectsCode(() => db.transaction(() => Promise.resolve()), 'DB_CLOSED');
  await assertRejectsCode(() => db.migrate('x', []), 'DB_CLOSED');
  assert.throws(() => db.typed(), { code: 'DB_CLOSED' });
});

forEachDatabase(
  '50 concurrent read-modify-write transactions end at exactly 50',
  async (db, _t, config) => {
    const k = await setup(db);
    await k.insertInto('counter').values({ name: 'c', n: 0n }).execute();
    // A second Database on the same data, so writers also contend across pools/handles.
    const other = await openDatabase(config);
    try {
      const increment = (on: Database) =>
        on.transaction(
          async (trx: Transaction<Tables>) => {
            const row = await trx
              .selectFrom('counter')
              .select('n')
              .where('name', '=', 'c')
              .executeTakeFirstOrThrow();
            await new Promise((r) => setImmediate(r));
            await trx
              .updateTable('counter')
              .set({ n: fromDbBigint(row.n) + 1n })
              .where('name', '=', 'c')
              .execute();
          },
          { maxRetries: 100 },
        );
      await Promise.all(Array.from({ length: 50 }, (_, i) => increment(i % 2 ? db : other)));
      const row = await k.selectFrom('counter').select('n').executeTakeFirstOrThrow();
      assert.equal(fromDbBigint(row.n), 50n);
    } finally {
      await other.close();
    }
  },
);

// PostgreSQL only: SQLite writers queue on BEGIN IMMEDIATE and never see serialization failures.
test('retries are bounded: maxRetries 0 surfaces DB_SERIALIZATION [postgres]', (t) =>
  withTestDatabase('postgres', t, async (db) => {
    const k = await setup(db);
    await k.insertInto('counter').values({ name: 'c', n: 0n }).execute();
    let attempts = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        db.transaction(
          async (trx: Transaction<Tables>) => {
            attempts++;
            const row = await trx.selectFrom('counter').select('n').executeTakeFirstOrThrow();
            await new Promise((r) => setTimeout(r, 20));
            await trx
              .updateTable('counter')
              .set({ n: fromDbBigint(row.n) + 1n })
              .execute();
          },
          { maxRetries: 0 },
        ),
      ),
    );
    const failed = results.filter((r) => r.status === 'rejected');
    assert.ok(failed.length > 0, 'concurrent serializable writers conflicted');
    assert.equal(attempts, 8, 'nothing was retried');
    for (const f of failed) {
      assert.equal((f.reason as DbError).code, 'DB_SERIALIZATION');
      assert.match((f.reason as DbError).message, /gave up after 1 attempts/);
    }
    const row = await k.selectFrom('counter').select('n').executeTakeFirstOrThrow();
    assert.equal(fromDbBigint(row.n), BigInt(8 - failed.length), 'only the committed ones counted');
  }));

forEachDatabase(
  'readOnly: one snapshot for the whole transaction while another connection writes',
  async (db, t, config) => {
    const k = await setup(db);
    const writer = await openDatabase(config);
    try {
      const seen = await db.transaction(
        async (trx: Transaction<Tables>) => {
          const before = await balance(trx, 'a');
          // another connection commits while the read-only transaction is open: SQLite
          // (WAL, BEGIN DEFERRED) must not block it, and neither dialect may show it
          await writer
            .typed<Tables>()
            .updateTable('account')
            .set({ balance: 99n })
            .where('name', '=', 'a')
            .execute();
          const after = await balance(trx, 'a');
          return { before, after };
        },
        { readOnly: true, isolation: 'repeatable read' },
      );
      assert.deepEqual(seen, { before: 10n, after: 10n }, 'the snapshot did not move');
      assert.equal(await balance(k, 'a'), 99n, 'the write committed');
      if (db.dialect === 'postgres') {
        await assertRejectsCode(
          () =>
            db.transaction(
              (trx: Transaction<Tables>) =>
                trx.updateTable('account').set({ balance: 1n }).where('name', '=', 'a').execute(),
              { readOnly: true },
            ),
          'DB_QUERY_FAILED',
        );
      }
      await assertRejectsCode(
        () => db.transaction(() => Promise.resolve(), { readOnly: 'yes' as unknown as boolean }),
        'DB_BAD_VALUE',
      );
    } finally {
      await writer.close();
    }
    t.diagnostic(`${db.dialect}: read-only snapshot held`);
  },
);
