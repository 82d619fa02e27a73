import { main, type Io } from '@cairn/cli';
import type { DatabaseConfig } from '@cairn/db';

/** Run `cairn argv…` in process; its exit code and what it wrote. */
export async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = { out: '', err: '' };
  const sink: Io = {
    out: (t) => {
      io.out += t;
    },
    err: (t) => {
      io.err += t;
    },
  };
  const code = await main(argv, sink);
  return { code, ...io };
}

/** --db (and --schema) naming the test database. */
export function dbArgs(config: DatabaseConfig): string[] {
  return config.dialect === 'sqlite'
    ? ['--db', config.path]
    : [
        '--db',
        config.connectionString,
        ...(config.schema === undefined ? [] : ['--schema', config.schema]),
      ];
}
