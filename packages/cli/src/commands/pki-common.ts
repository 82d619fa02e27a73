import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openDatabase } from '@cairn/db';
import type { KeyStore } from '@cairn/keys';
import { Pki } from '@cairn/pki';
import { UsageError, type CommandContext, type Io, type Options } from '../command.js';
import { KEYSTORE_HELP, KEYSTORE_OPTIONS, withKeyStore } from '../keystore-options.js';

/** Options every `cairn pki` command takes. */
export const PKI_OPTIONS: Options = Object.freeze({
  data: { type: 'string' },
  ...KEYSTORE_OPTIONS,
});

export const PKI_HELP = `  --data DIR             PKI data folder: pki.db (SQLite) and exported PEMs [CAIRN_PKI_DATA]
${KEYSTORE_HELP}`;

/** The data folder from --data or CAIRN_PKI_DATA. */
export function dataDir(ctx: CommandContext): string {
  const v = ctx.values['data'];
  const dir = typeof v === 'string' && v !== '' ? v : process.env['CAIRN_PKI_DATA'];
  if (!dir) throw new UsageError('--data DIR (or CAIRN_PKI_DATA) is required');
  return resolve(dir);
}

/** Open key store + database + PKI for one command, close them afterwards. */
export function withPki(
  ctx: CommandContext,
  name: string,
  fn: (pki: Pki, keys: KeyStore, dir: string) => Promise<number>,
): Promise<number> {
  const dir = dataDir(ctx);
  return withKeyStore(ctx, name, async (keys) => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const db = await openDatabase({ dialect: 'sqlite', path: join(dir, 'pki.db') });
    try {
      return await fn(await Pki.open({ keys, db }), keys, dir);
    } finally {
      await db.close();
    }
  });
}

/** Write to `-o FILE` when given, else to stdout. */
export function emit(io: Io, out: unknown, data: string | Uint8Array): string | undefined {
  if (typeof out === 'string' && out !== '' && out !== '-') {
    writeFileSync(out, data);
    return out;
  }
  if (typeof data === 'string') io.out(data);
  else io.out(Buffer.from(data).toString('base64') + '\n');
  return undefined;
}
