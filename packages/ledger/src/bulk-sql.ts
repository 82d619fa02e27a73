/**
 * Multi-row statements of the write path as hand-built SQL, skipping Kysely's query
 * builder (which costs a few µs per value), with a bounded set of SQL texts so that
 * SQLite's prepared-statement cache (@cairn/db) keeps hitting whatever the batch
 * size: on SQLite a batch of n rows goes out in chunks whose sizes are powers of two
 * (≤ 9 texts per statement kind, kept here too); on PostgreSQL (no client-side
 * statement cache, a round trip per statement) in chunks of up to 500 rows.
 */
import { CompiledQuery } from '@cairn/db';
import type { Dialect, QueryResult, Transaction } from '@cairn/db';
import type { LedgerTables } from './schema.js';

const SQLITE_MAX_CHUNK = 256;
const POSTGRES_MAX_CHUNK = 500;

export class BulkSql {
  readonly #dialect: Dialect;
  readonly #texts = new Map<string, string>();

  constructor(dialect: Dialect) {
    this.#dialect = dialect;
  }

  /** Sizes of the chunks `n` rows are sent in. */
  chunks(n: number): number[] {
    const out: number[] = [];
    let left = n;
    if (this.#dialect === 'postgres') {
      for (; left > 0; left -= POSTGRES_MAX_CHUNK) out.push(Math.min(left, POSTGRES_MAX_CHUNK));
      return out;
    }
    while (left > 0) {
      let c = SQLITE_MAX_CHUNK;
      while (c > left) c >>= 1;
      out.push(c);
      left -= c;
    }
    return out;
  }

  /** INSERT INTO table (columns) VALUES … with `rows` rows of parameters. */
  async insert(
    trx: Transaction<LedgerTables>,
    table: keyof LedgerTables,
    columns: readonly string[],
    rows: readonly (readonly unknown[])[],
  ): Promise<void> {
    let at = 0;
    for (const n of this.chunks(rows.length)) {
      const text = this.#text(`i:${table}:${n}`, () => {
        const cols = columns.map((c) => `"${c}"`).join(', ');
        let p = 0;
        const tuples = Array.from(
          { length: n },
          () => `(${columns.map(() => this.#param(++p)).join(', ')})`,
        );
        return `insert into "${table}" (${cols}) values ${tuples.join(', ')}`;
      });
      const params: unknown[] = [];
      for (let i = at; i < at + n; i++) params.push(...rows[i]!);
      at += n;
      await trx.executeQuery(CompiledQuery.raw(text, params));
    }
  }

  /** SELECT columns FROM table WHERE column IN (values), all chunks' rows together. */
  async selectIn<R>(
    trx: Transaction<LedgerTables>,
    table: keyof LedgerTables,
    columns: readonly string[],
    column: string,
    values: readonly unknown[],
  ): Promise<R[]> {
    const out: R[] = [];
    let at = 0;
    for (const n of this.chunks(values.length)) {
      const text = this.#text(`s:${table}:${column}:${columns.join(',')}:${n}`, () => {
        const list = Array.from({ length: n }, (_, i) => this.#param(i + 1)).join(', ');
        const cols = columns.map((c) => `"${c}"`).join(', ');
        return `select ${cols} from "${table}" where "${column}" in (${list})`;
      });
      const res: QueryResult<R> = await trx.executeQuery(
        CompiledQuery.raw(text, values.slice(at, at + n)),
      );
      at += n;
      out.push(...res.rows);
    }
    return out;
  }

  #param(i: number): string {
    return this.#dialect === 'postgres' ? `$${i}` : '?';
  }

  #text(key: string, make: () => string): string {
    // PostgreSQL chunks take any size up to 500: build those texts every time.
    if (this.#dialect === 'postgres') return make();
    let t = this.#texts.get(key);
    if (t === undefined) {
      t = make();
      this.#texts.set(key, t);
    }
    return t;
  }
}
