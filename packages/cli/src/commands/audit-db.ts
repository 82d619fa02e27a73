import { existsSync, readFileSync } from 'node:fs';
import { isCairnError, noteVerifierFromKey } from '@cairn/core';
import type { NoteVerifier } from '@cairn/core';
import { openDatabase } from '@cairn/db';
import type { Database, DatabaseConfig } from '@cairn/db';
import { EXIT, UsageError, type CommandContext } from '../command.js';

export const AUDIT_DB_OPTIONS = {
  db: { type: 'string' },
  schema: { type: 'string' },
} as const;

export const AUDIT_DB_HELP = `Database options:
  --db PATH|URL     the ledger database: a SQLite file, or postgres://user@host:port/db
  --schema NAME     PostgreSQL schema holding the ledger tables (default: the server's)`;

/** Open the ledger database named by --db (an existing SQLite file, or PostgreSQL). */
export async function withAuditDb(
  ctx: CommandContext,
  name: string,
  fn: (db: Database) => Promise<number>,
): Promise<number> {
  const target = ctx.values['db'];
  if (typeof target !== 'string' || target === '') {
    throw new UsageError(`cairn ${name} needs --db PATH|URL`);
  }
  const schema = ctx.values['schema'];
  let config: DatabaseConfig;
  if (/^postgres(ql)?:\/\//.test(target)) {
    config = {
      dialect: 'postgres',
      connectionString: target,
      ...(typeof schema === 'string' ? { schema } : {}),
    };
  } else {
    if (!existsSync(target)) {
      ctx.io.err(`cairn ${name}: no database at ${target}\n`);
      return EXIT.ENVIRONMENT;
    }
    config = { dialect: 'sqlite', path: target };
  }
  let db: Database;
  try {
    db = await openDatabase(config);
  } catch (err) {
    ctx.io.err(`cairn ${name}: ${String(err)}\n`);
    return EXIT.ENVIRONMENT;
  }
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** A note verifier from --log-key / --tlog-key: a verifier key string, or a file holding one. */
export function readVerifierKey(value: unknown, option = '--log-key'): NoteVerifier | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new UsageError(`${option} takes a verifier key or a file`);
  const text = existsSync(value) ? readFileSync(value, 'utf8').trim() : value.trim();
  try {
    return noteVerifierFromKey(text);
  } catch (err) {
    if (!isCairnError(err)) throw err;
    throw new UsageError(
      `${option} is neither a note verifier key (<name>+<id>+<key>) nor a file holding one: ${err.message}`,
    );
  }
}
