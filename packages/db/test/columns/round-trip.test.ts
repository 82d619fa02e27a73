import assert from 'node:assert/strict';
import {
  fromDbBigint,
  fromDbBytes,
  fromDbJson,
  fromDbTimestamp,
  fromDbUint64,
  INT64_MAX,
  INT64_MIN,
  toDbBigint,
  toDbBytes,
  toDbJson,
  toDbTimestamp,
  toDbUint64,
  UINT64_MAX,
} from '@cairn/db';
import type { Migration, Transaction } from '@cairn/db';
import { forEachDatabase } from '@cairn/testkit';

interface Row {
  id: bigint;
  data: Uint8Array;
  big: bigint;
  seq: string;
  at: string;
  doc: string;
}
interface Tables {
  sample: Omit<Row, 'id'> & { id?: bigint };
}

const SCHEMA: Migration[] = [
  {
    id: '001-sample',
    async up(db, { col }) {
      await db.schema
        .createTable('sample')
        .addColumn('id', col.autoId.type, col.autoId.modifiers)
        .addColumn('data', col.bytes, (c) => c.notNull())
        .addColumn('big', col.bigint, (c) => c.notNull())
        .addColumn('seq', col.uint64, (c) => c.notNull().unique())
        .addColumn('at', col.timestamp, (c) => c.notNull())
        .addColumn('doc', col.json, (c) => c.notNull())
        .execute();
    },
  },
];

const allBytes = new Uint8Array(256).map((_, i) => i);
const doc = { name: 'fw', nested: { list: [1, 'two', null, true] }, unicode: 'é✓😀' };
const values = [
  { data: allBytes, big: INT64_MAX, seq: UINT64_MAX, at: new Date('9999-12-31T23:59:59.999Z') },
  { data: new Uint8Array(0), big: INT64_MIN, seq: 0n, at: new Date(0) },
  { data: allBytes.subarray(10, 20), big: 2n ** 53n + 1n, seq: 2n ** 63n, at: new Date(1) },
  { data: new Uint8Array([0]), big: -1n, seq: 9n, at: new Date('2024-02-29T12:00:00.123Z') },
  { data: new Uint8Array([255]), big: 0n, seq: 10n, at: new Date('0001-01-01T00:00:00.000Z') },
];

forEachDatabase('bytes, bigint, uint64, timestamp and json round-trip exactly', async (db) => {
  await db.migrate('cols', SCHEMA);
  await db.transaction(async (trx: Transaction<Tables>) => {
    for (const v of values) {
      await trx
        .insertInto('sample')
        .values({
          data: toDbBytes(v.data),
          big: toDbBigint(v.big),
          seq: toDbUint64(v.seq),
          at: toDbTimestamp(v.at),
          doc: toDbJson(doc),
        })
        .execute();
    }
  });
  const rows = await db.typed<Tables>().selectFrom('sample').selectAll().orderBy('id').execute();
  assert.equal(rows.length, values.length);
  rows.forEach((row, i) => {
    const v = values[i]!;
    assert.equal(fromDbBigint(row.id), BigInt(i + 1));
    const bytes = fromDbBytes(row.data);
    assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype, 'plain Uint8Array');
    assert.deepEqual(bytes, new Uint8Array(v.data));
    assert.equal(typeof row.big, 'bigint', 'int64 reads back as bigint, not number');
    assert.equal(fromDbBigint(row.big), v.big);
    assert.equal(fromDbUint64(row.seq), v.seq);
    assert.equal(fromDbTimestamp(row.at).getTime(), v.at.getTime());
    assert.deepEqual(fromDbJson(row.doc), doc);
  });

  // uint64 text orders numerically in SQL (10 after 9, 2^64-1 last).
  const bySeq = await db
    .typed<Tables>()
    .selectFrom('sample')
    .select('seq')
    .orderBy('seq')
    .execute();
  const sorted = [...values.map((v) => v.seq)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  assert.deepEqual(
    bySeq.map((r) => fromDbUint64(r.seq)),
    sorted,
  );
  const max = await db
    .typed<Tables>()
    .selectFrom('sample')
    .select((eb) => eb.fn.max('seq').as('m'))
    .executeTakeFirstOrThrow();
  assert.equal(fromDbUint64(max.m), UINT64_MAX);

  // count(*) is bigint on both dialects.
  const count = await db
    .typed<Tables>()
    .selectFrom('sample')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  assert.equal(fromDbBigint(count.n), BigInt(values.length));
});
