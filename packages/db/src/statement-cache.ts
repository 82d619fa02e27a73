import type BetterSqlite3 from 'better-sqlite3';

/** Prepared statements kept per SQLite handle by default. */
export const DEFAULT_STATEMENT_CACHE_SIZE = 256;

export interface StatementCacheStats {
  /** prepare() calls answered from the cache. */
  readonly hits: number;
  /** prepare() calls that compiled the SQL (cache off, new text, or statement busy). */
  readonly misses: number;
  /** Statements held now. */
  readonly size: number;
  readonly capacity: number;
}

/**
 * What Kysely's SQLite driver sees as its database: better-sqlite3 with `prepare()`
 * answered from a bounded LRU cache of prepared statements keyed by SQL text, so a
 * query that is run again is not compiled again.
 *
 * Safe because better-sqlite3 resets a statement after every `run`/`all`/`get` (and
 * when an iterator ends or throws), so a cached statement holds no lock and no
 * transaction state between uses; SQLite recompiles a statement by itself after a
 * schema change. A statement whose iterator is still open (`busy`) is not handed out
 * twice: that call gets a fresh, uncached statement. SQL that fails to compile is
 * never cached, and a statement that failed while running (constraint, busy) stays
 * valid and is reused. Evicted statements are finalised by the garbage collector;
 * `close()` drops the cache and closes the handle, which finalises the rest.
 */
export class StatementCache {
  readonly #handle: BetterSqlite3.Database;
  readonly #capacity: number;
  readonly #cache = new Map<string, BetterSqlite3.Statement>();
  #hits = 0;
  #misses = 0;

  constructor(handle: BetterSqlite3.Database, capacity = DEFAULT_STATEMENT_CACHE_SIZE) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`statement cache capacity must be an integer ≥ 0, got ${capacity}`);
    }
    this.#handle = handle;
    this.#capacity = capacity;
  }

  prepare(source: string): BetterSqlite3.Statement {
    const cached = this.#cache.get(source);
    if (cached !== undefined && !cached.busy) {
      this.#hits++;
      // Most recently used last: Map iteration order is insertion order.
      this.#cache.delete(source);
      this.#cache.set(source, cached);
      return cached;
    }
    this.#misses++;
    const stmt = this.#handle.prepare(source);
    if (cached === undefined && this.#capacity > 0) {
      if (this.#cache.size >= this.#capacity) {
        this.#cache.delete(this.#cache.keys().next().value!);
      }
      this.#cache.set(source, stmt);
    }
    return stmt;
  }

  stats(): StatementCacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      size: this.#cache.size,
      capacity: this.#capacity,
    };
  }

  /** Drop every cached statement and close the handle (finalising all statements). */
  close(): void {
    this.#cache.clear();
    if (this.#handle.open) this.#handle.close();
  }
}
