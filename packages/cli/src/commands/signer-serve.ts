import { isCairnError } from '@cairn/core';
import { loadSignerConfig, serveSigner } from '@cairn/signer';
import { EXIT, UsageError, type Command } from '../command.js';
import { KEYSTORE_HELP, KEYSTORE_OPTIONS, keyStoreConfigFromOptions } from '../keystore-options.js';

/** `cairn signer serve --data DIR [--config FILE]`: run the signing service. */
export const signerServeCommand: Command = {
  path: ['signer', 'serve'],
  summary: 'run the signing service (REST API, TLS, audit and transparency logs)',
  help: `Usage: cairn signer serve --data DIR [--config FILE] [--listen HOST:PORT] [key store options]

Runs the signing service. Settings come from --config (JSON: listen, database, keystore,
tls, log — see packages/signer/README.md), then the environment (CAIRN_SIGNER_HOST,
CAIRN_SIGNER_PORT, CAIRN_DATABASE_URL), then these defaults: SQLite at DIR/signer.db,
software keystore at DIR/keys, TLS with a certificate from Cairn's PKI (CA in DIR/tls/ca.pem).
On first start it writes an admin API token to DIR/admin-token (mode 0600).
Key store options on the command line override the config file's keystore.

${KEYSTORE_HELP}

Exit codes: 0 stopped by a signal · 2 usage · 3 bad config / environment`,
  options: {
    data: { type: 'string' },
    config: { type: 'string' },
    listen: { type: 'string' },
    ...KEYSTORE_OPTIONS,
  },
  async run(ctx) {
    const dataDir = ctx.values['data'];
    if (typeof dataDir !== 'string' || dataDir === '')
      throw new UsageError('--data DIR is required');
    const cfgFile = typeof ctx.values['config'] === 'string' ? ctx.values['config'] : undefined;
    const env = { ...process.env };
    const listen = ctx.values['listen'];
    if (typeof listen === 'string') {
      const m = /^(.*):(\d+)$/.exec(listen);
      if (!m) throw new UsageError('--listen must be HOST:PORT');
      env['CAIRN_SIGNER_HOST'] = m[1]!;
      env['CAIRN_SIGNER_PORT'] = m[2]!;
    }
    let config;
    try {
      config = loadSignerConfig(dataDir, cfgFile, env);
    } catch (err) {
      if (isCairnError(err) || (err as NodeJS.ErrnoException).code === 'ENOENT') {
        ctx.io.err(`cairn signer serve: ${(err as Error).message}\n`);
        return EXIT.ENVIRONMENT;
      }
      throw err;
    }
    const hasKeyOpts =
      Object.keys(KEYSTORE_OPTIONS).some((k) => ctx.values[k] !== undefined) ||
      env['CAIRN_PKCS11_MODULE'] !== undefined;
    if (hasKeyOpts) config = { ...config, keystore: keyStoreConfigFromOptions(ctx.values) };
    const running = await serveSigner(config);
    ctx.io.err(`cairn signer: listening on ${running.url}\n`);
    if (running.bootstrapTokenFile)
      ctx.io.err(`cairn signer: first admin token written to ${running.bootstrapTokenFile}\n`);
    if (running.caFile) ctx.io.err(`cairn signer: clients trust ${running.caFile} (--cacert)\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await running.close();
    return EXIT.OK;
  },
};
