import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { openDatabase } from '@cairn/db';
import type { Database } from '@cairn/db';
import { openKeyStore } from '@cairn/keys';
import type { KeyStore } from '@cairn/keys';
import { openSigner } from './bootstrap.js';
import type { SignerStack } from './bootstrap.js';
import type { SignerConfig } from './config.js';
import { createSignerService } from './http/app.js';
import type { SignerTlsOptions } from './http/app.js';

export interface RunningSigner {
  readonly app: FastifyInstance;
  readonly stack: SignerStack;
  /** e.g. https://127.0.0.1:8443 */
  readonly url: string;
  /** Written on first start (0600) when the database had no token: the first admin token. */
  readonly bootstrapTokenFile: string | undefined;
  /** PEM of the CA that issued the server certificate (clients pass it as --cacert). */
  readonly caFile: string | undefined;
  close(): Promise<void>;
}

function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

async function tlsOptions(
  config: SignerConfig,
  stack: SignerStack,
): Promise<{ tls: SignerTlsOptions; caFile: string }> {
  const dir = join(config.dataDir, 'tls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const root = await stack.pki.getCa('root');
  const issuing = (await stack.pki.listCas()).filter((c) => c.kind === 'issuing').at(-1)!;
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, root.pem);
  const clientCa = config.tls.clientCertificates ? `${issuing.pem}${root.pem}` : undefined;
  if (config.tls.certFile !== undefined && config.tls.keyFile !== undefined) {
    return {
      tls: {
        cert: readFileSync(config.tls.certFile, 'utf8'),
        key: readFileSync(config.tls.keyFile, 'utf8'),
        ...(clientCa ? { clientCa } : {}),
      },
      caFile,
    };
  }
  // The TLS key must be usable by Node's TLS stack, so it is a file key (not the HSM);
  // its certificate comes from Cairn's PKI (profile tls-server), renewed when near expiry.
  const keyFile = join(dir, 'server-key.pem');
  const certFile = join(dir, 'server-cert.pem');
  let key: string;
  if (existsSync(keyFile)) key = readFileSync(keyFile, 'utf8');
  else {
    key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    writeSecret(keyFile, key);
  }
  const { createPrivateKey, createPublicKey } = await import('node:crypto');
  const spki = createPublicKey(createPrivateKey(key)).export({ type: 'spki', format: 'der' });
  const cert = await stack.pki.issue({
    profile: 'tls-server',
    subject: { commonName: config.tls.dnsNames[0] ?? 'cairn-signer' },
    san: { dns: config.tls.dnsNames, ip: config.tls.ipAddresses },
    publicKey: new Uint8Array(spki),
  });
  writeFileSync(certFile, cert.pem + issuing.pem);
  return { tls: { cert: cert.pem + issuing.pem, key, ...(clientCa ? { clientCa } : {}) }, caFile };
}

/** Open everything the configuration names and listen. */
export async function serveSigner(
  config: SignerConfig,
  opts: { logger?: FastifyServerOptions['logger']; keys?: KeyStore } = {},
): Promise<RunningSigner> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const db: Database = await openDatabase(config.database);
  const keys = opts.keys ?? (await openKeyStore(config.keystore));
  const stack = await openSigner({
    db,
    keys,
    logKeyLabel: config.log.keyLabel,
    tlogOrigin: config.log.tlogOrigin,
    auditOrigin: config.log.auditOrigin,
    checkpointIntervalMs: config.log.checkpointIntervalMs,
  });
  let bootstrapTokenFile: string | undefined;
  if ((await stack.service.tokens.count()) === 0) {
    const { token } = await stack.service.tokens.create(
      {
        name: 'bootstrap-admin',
        grants: [{ role: 'admin', worker: '*' }],
        ttlSeconds: 30 * 24 * 3600,
      },
      'cairn signer serve',
    );
    bootstrapTokenFile = join(config.dataDir, 'admin-token');
    writeSecret(bootstrapTokenFile, token + '\n');
  }
  const tls = config.tls.enabled ? await tlsOptions(config, stack) : undefined;
  const app = await createSignerService({
    service: stack.service,
    ...(tls ? { tls: tls.tls } : {}),
    ...(opts.logger === undefined ? {} : { logger: opts.logger }),
  });
  const address = await app.listen({ host: config.listen.host, port: config.listen.port });
  const url = address.replace('[::1]', 'localhost');
  return {
    app,
    stack,
    url,
    bootstrapTokenFile,
    caFile: tls?.caFile,
    async close() {
      await app.close();
      await stack.close();
      if (!opts.keys) await keys.close();
      await db.close();
    },
  };
}
