import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer } from '@cairn/server';
import type { ServerConfig } from '@cairn/server';
import { EXIT, UsageError, type Command } from '../command.js';

function readPem(path: unknown, what: string): string {
  try {
    return readFileSync(String(path), 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} "${String(path)}": ${(err as Error).message}`);
  }
}

/** `cairn server serve`: run the update server (DDI device API + admin routes). */
export const serverServeCommand: Command = {
  path: ['server', 'serve'],
  summary: 'run the OTA update server (hawkBit DDI device API, releases, devices)',
  help: `Usage: cairn server serve --data DIR [--db URL|FILE] [--host H] [--port N]
                          [--tls-cert FILE --tls-key FILE [--client-ca FILE]]
                          [--admin-token-env NAME] [--tenant T] [--poll-seconds S]
                          [--last-seen-resolution S]

Runs the update server until interrupted (Ctrl-C / SIGTERM) and prints its URL.

  --data DIR              artifacts (and the SQLite database by default) live here
  --db URL|FILE           postgres://… URL, or an SQLite file (default DIR/cairn-server.db)
  --host H                listen address (default 127.0.0.1)
  --port N                port (default 8080; 0 picks a free one)
  --tls-cert/--tls-key    serve HTTPS with this certificate chain and key (PEM)
  --client-ca FILE        request device client certificates and verify them against this CA
  --admin-token-env NAME  environment variable with the admin token (default CAIRN_ADMIN_TOKEN)
  --tenant T              hawkBit tenant in DDI paths (default DEFAULT)
  --poll-seconds S        polling interval told to devices (default 300)
  --last-seen-resolution S  write a device's last-seen time to the database at most once
                          per S seconds (default 60; 0: every poll, within 5 s). The API
                          always shows the latest poll this server saw.

Exit codes: 0 stopped cleanly · 2 usage · 3 config invalid or port unavailable`,
  options: {
    data: { type: 'string' },
    db: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'client-ca': { type: 'string' },
    'admin-token-env': { type: 'string' },
    tenant: { type: 'string' },
    'poll-seconds': { type: 'string' },
    'last-seen-resolution': { type: 'string' },
  },
  async run({ io, values: v }) {
    if (typeof v['data'] !== 'string') throw new UsageError('--data DIR is required');
    const envName = String(v['admin-token-env'] ?? 'CAIRN_ADMIN_TOKEN');
    const adminToken = process.env[envName];
    if (adminToken === undefined)
      throw new UsageError(`set the admin token in $${envName} (16+ characters)`);
    if ((v['tls-cert'] === undefined) !== (v['tls-key'] === undefined)) {
      throw new UsageError('--tls-cert and --tls-key go together');
    }
    const db = v['db'];
    const config: ServerConfig = {
      dataDir: resolve(v['data']),
      adminToken,
      ...(typeof db === 'string'
        ? {
            database: /^postgres(ql)?:\/\//.test(db)
              ? { dialect: 'postgres' as const, connectionString: db }
              : { dialect: 'sqlite' as const, path: resolve(db) },
          }
        : {}),
      ...(typeof v['host'] === 'string' ? { host: v['host'] } : {}),
      ...(typeof v['port'] === 'string' ? { port: Number(v['port']) } : {}),
      ...(typeof v['tenant'] === 'string' ? { tenant: v['tenant'] } : {}),
      ...(typeof v['poll-seconds'] === 'string'
        ? { pollingSleepSeconds: Number(v['poll-seconds']) }
        : {}),
      ...(typeof v['last-seen-resolution'] === 'string'
        ? { lastSeenResolutionSeconds: Number(v['last-seen-resolution']) }
        : {}),
      ...(typeof v['tls-cert'] === 'string'
        ? {
            tls: {
              cert: readPem(v['tls-cert'], '--tls-cert'),
              key: readPem(v['tls-key'], '--tls-key'),
              ...(typeof v['client-ca'] === 'string'
                ? { clientCa: readPem(v['client-ca'], '--client-ca') }
                : {}),
            },
          }
        : {}),
    };
    let server;
    try {
      server = await createServer(config);
    } catch (err) {
      io.err(`cairn server serve: ${String(err)}\n`);
      return EXIT.ENVIRONMENT;
    }
    let url: string;
    try {
      url = await server.listen();
    } catch (err) {
      await server.close();
      io.err(`cairn server serve: cannot listen: ${(err as Error).message}\n`);
      return EXIT.ENVIRONMENT;
    }
    io.out(`cairn update server listening on ${url}\n`);
    await new Promise<void>((done) => {
      const stop = (): void => {
        done();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    io.out('cairn update server stopped\n');
    return EXIT.OK;
  },
};
