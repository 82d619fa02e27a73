import { ValidationError } from '@cairn/core';
import type { FieldIssue } from '@cairn/core';
import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import type { Dialect } from './config.js';
import { columnTypes, toDbTimestamp } from './columns.js';
import type { ColumnTypes } from './columns.js';
import { DbError } from './errors.js';

/** What a migration gets besides the transaction: the dialect and portable column types. */
export interface MigrationContext {
  readonly dialect: Dialect;
  readonly col: ColumnTypes;
}

/**
 * One schema change. `id` is permanent: once applied it must stay in the list, in the
 * same place, forever; add new migrations at the end. `up` runs inside a transaction
 * together with the bookkeeping row, so it is applied entirely or not at all.
 */
export interface Migration {
  readonly id: string;
  // Migrations run before/while the tables they create exist, so they are untyped.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  up(db: Kysely<any>, ctx: MigrationContext): Promise<void>;
}

export interface MigrationResult {
  /** Ids applied by this call, in order (empty when everything was already applied). */
  readonly applied: readonly string[];
}

export const MIGRATIONS_TABLE = 'cairn_migrations';
const NAMESPACE = /^[a-z][a-z0-9_.-]{0,63}$/;
const MAX_ID_LENGTH = 200;

/** Check the namespace and the list: non-empty unique ids of sane length. */
export function assertMigrations(namespace: string, migrations: readonly Migration[]): void {
  const issues: FieldIssue[] = [];
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    issues.push({
      path: 'namespace',
      problem: 'must match [a-z][a-z0-9_.-]* and be at most 64 characters',
    });
  }
  if (!Array.isArray(migrations)) {
    issues.push({ path: 'migrations', problem: 'must be an array' });
  } else {
    const seen = new Set<string>();
    migrations.forEach((m: Partial<Migration> | null, i) => {
      const id = m?.id;
      if (typeof id !== 'string' || id === '' || id.length > MAX_ID_LENGTH) {
        issues.push({ path: `migrations[${i}].id`, problem: `must be 1-${MAX_ID_LENGTH} chars` });
      } else if (seen.has(id)) {
        issues.push({ path: `migrations[${i}].id`, problem: `duplicates the id "${id}"` });
      } else {
        seen.add(id);
      }
      if (typeof m?.up !== 'function') {
        issues.push({ path: `migrations[${i}].up`, problem: 'must be a function' });
      }
    });
  }
  if (issues.length > 0) throw new ValidationError('migrations', issues);
}

/** Applied ids must be exactly the first ids of the list, in the same order. */
export function checkApplied(
  namespace: string,
  applied: readonly string[],
  ids: readonly string[],
): void {
  applied.forEach((id, i) => {
    if (ids[i] === id) return;
    if (!ids.includes(id)) {
      throw new DbError(
        'DB_MIGRATION_MISSING',
        `migration "${namespace}/${id}" is recorded as applied in ${MIGRATIONS_TABLE} but is not in the list given to migrate(): migrations must never be removed or renamed (is an older version of the software running against a newer database?)`,
        { details: { namespace, id, position: i } },
      );
    }
    throw new DbError(
      'DB_MIGRATION_ORDER',
      `migrations of "${namespace}" were applied in the order [${applied.join(', ')}] but the list puts "${ids[i] ?? ''}" at position ${i}, where "${id}" was applied: add new migrations at the end of the list, never in between`,
      { details: { namespace, applied: [...applied], expected: ids.slice(0, applied.length) } },
    );
  });
}

/**
 * One migration step, inside a transaction: take the migration lock, make sure the
 * bookkeeping table exists, check what is applied, apply the next pending migration.
 * Returns its id, or undefined when nothing is pending. PostgreSQL serializes
 * migrators with a transaction-scoped advisory lock per schema; SQLite with the
 * BEGIN IMMEDIATE the transaction already holds.
 */
export async function migrateStep(
  trx: Transaction<unknown>,
  dialect: Dialect,
  namespace: string,
  migrations: readonly Migration[],
): Promise<string | undefined> {
  if (dialect === 'postgres') {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`${MIGRATIONS_TABLE}:`} || current_schema()))`.execute(
      trx,
    );
  }
  await sql`CREATE TABLE IF NOT EXISTS ${sql.table(MIGRATIONS_TABLE)} (
      namespace TEXT NOT NULL,
      id TEXT NOT NULL,
      seq BIGINT NOT NULL,
      applied_at TEXT NOT NULL,
      PRIMARY KEY (namespace, id)
    )`.execute(trx);
  const { rows } = await sql<{ id: string }>`SELECT id FROM ${sql.table(MIGRATIONS_TABLE)}
      WHERE namespace = ${namespace} ORDER BY seq`.execute(trx);
  const applied = rows.map((r) => r.id);
  checkApplied(
    namespace,
    applied,
    migrations.map((m) => m.id),
  );
  const next = migrations[applied.length];
  if (next === undefined) return undefined;
  try {
    await next.up(trx, { dialect, col: columnTypes(dialect) });
  } catch (err) {
    throw new DbError(
      'DB_MIGRATION_FAILED',
      `migration "${namespace}/${next.id}" failed and was rolled back (earlier migrations stay applied): ${err instanceof Error ? err.message : String(err)}`,
      { cause: err, details: { namespace, id: next.id } },
    );
  }
  await sql`INSERT INTO ${sql.table(MIGRATIONS_TABLE)} (namespace, id, seq, applied_at)
      VALUES (${namespace}, ${next.id}, ${BigInt(applied.length)}, ${toDbTimestamp(new Date())})`.execute(
    trx,
  );
  return next.id;
}
