import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { formatNoteVerifierKey, isCairnError } from '@cairn/core';
import { openKeyStore } from '@cairn/keys';
import type { KeyStore, KeyStoreConfig } from '@cairn/keys';
import { createServer } from '@cairn/server';
import type { CairnServer } from '@cairn/server';
import { serveSigner } from '@cairn/signer';
import type { RunningSigner, SignerConfig } from '@cairn/signer';
import type { Io } from '../command.js';
import type { PlatformConfig } from './config.js';
import { readOrCreateSecret, writeSecret } from './files.js';
import { Progress } from './progress.js';
import { productUuids } from './uuid.js';

/** The firmware signing key and the signer worker that uses it. */
export const FIRMWARE_KEY_LABEL = 'demo-firmware';
export const FIRMWARE_WORKER = 'demo-firmware';
const LOG_KEY_LABEL = 'cairn-log';
const TLOG_ORIGIN = 'cairn.example/tlog';
const AUDIT_ORIGIN = 'cairn.example/audit';

/** What a running platform tells its clients; also written to DATA/platform.json. */
export interface PlatformInfo {
  readonly signerUrl: string;
  readonly serverUrl: string;
  /** Root CA (PEM): trust anchor of the demo product and of both TLS certificates. */
  readonly caFile: string;
  /** Signer admin token (workers, tokens, audit). */
  readonly signerTokenFile: string;
  /** Signer token with the 'signer' role on the firmware worker (what CI uses to sign). */
  readonly signingTokenFile: string;
  readonly serverTokenFile: string;
  readonly product: {
    readonly id: string;
    readonly name: string;
    readonly vendorId: string;
    readonly classId: string;
  };
  readonly worker: string;
  readonly signerDatabase: string;
  /** C2SP note verifier keys of the transparency log and the audit log. */
  readonly tlogVerifierKey: string;
  readonly auditVerifierKey: string;
  readonly keystore: string;
}

export interface Platform {
  readonly info: PlatformInfo;
  readonly signer: RunningSigner;
  readonly server: CairnServer;
  readonly keys: KeyStore;
  /** Tokens created by this start (shown once); empty on a later start. */
  readonly newSecrets: readonly string[];
  close(): Promise<void>;
}

export interface StartPlatformOptions {
  readonly io: Io;
  /** Print progress lines (default true). */
  readonly progress?: boolean;
}

export const PLATFORM_INFO_FILE = 'platform.json';

function ensureDir(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  return path;
}

function keyStoreConfig(config: PlatformConfig, io: Io): KeyStoreConfig {
  const ks = config.keystore;
  if (ks.backend === 'pkcs11')
    return { backend: 'pkcs11', module: ks.module, tokenLabel: ks.tokenLabel, pinEnv: ks.pinEnv };
  const cred = ensureDir(join(config.dataDir, 'credentials'));
  const passphraseFile = join(cred, 'keystore-passphrase');
  readOrCreateSecret(passphraseFile);
  return {
    backend: 'software',
    dir: ensureDir(join(config.dataDir, 'keys')),
    passphraseFile,
    warn: (m) => {
      io.err(`${m}\n`);
    },
  };
}

async function ensureKey(
  keys: KeyStore,
  label: string,
  type: 'ecdsa-p256' | 'ed25519',
): Promise<Uint8Array> {
  const found = (await keys.list()).find((k) => k.label === label);
  return (found ?? (await keys.generate(label, type))).publicKey;
}

/** A file TLS key (Node's TLS stack needs it) with a certificate from our issuing CA. */
async function serverTls(
  signer: RunningSigner,
  dir: string,
  host: string,
): Promise<{ cert: string; key: string }> {
  const keyFile = join(dir, 'server-key.pem');
  let key: string;
  if (existsSync(keyFile)) key = readFileSync(keyFile, 'utf8');
  else {
    key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    writeSecret(keyFile, key);
  }
  const spki = createPublicKey(createPrivateKey(key)).export({ type: 'spki', format: 'der' });
  const dns = ['localhost', ...(isIP(host) === 0 && host !== 'localhost' ? [host] : [])];
  const ip = [
    '127.0.0.1',
    ...(isIP(host) !== 0 && host !== '127.0.0.1' && host !== '0.0.0.0' ? [host] : []),
  ];
  const leaf = await signer.stack.pki.issue({
    profile: 'tls-server',
    subject: { commonName: 'cairn-update-server' },
    san: { dns, ip },
    publicKey: new Uint8Array(spki),
  });
  const issuing = await signer.stack.pki.getCa(leaf.caId);
  const cert = leaf.pem + issuing.pem;
  writeFileSync(join(dir, 'server-cert.pem'), cert);
  return { cert, key };
}

/**
 * Create (first start) or reuse (later starts) everything in the data directory, then
 * start the signing service and the update server with TLS from Cairn's own PKI.
 */
export async function startPlatform(
  config: PlatformConfig,
  o: StartPlatformOptions,
): Promise<Platform> {
  const io = o.io;
  const quiet: Io = { out: () => undefined, err: () => undefined };
  const p = new Progress(o.progress === false ? quiet : io, 6);
  const data = ensureDir(config.dataDir);
  const signerDir = ensureDir(join(data, 'signer'));
  const serverDir = ensureDir(join(data, 'server'));
  const cred = ensureDir(join(data, 'credentials'));
  const newSecrets: string[] = [];
  const toClose: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const c of toClose.reverse()) await c().catch(() => undefined);
  };
  try {
    const keys = await p.step('opening the key store', () =>
      openKeyStore(keyStoreConfig(config, io)),
    );
    toClose.push(() => keys.close());
    if (keys.backend === 'software') {
      io.err(
        '\n  !! SOFTWARE KEYSTORE — not an HSM. Keys are encrypted files under ' +
          `${join(data, 'keys')}\n  !! (passphrase in ${join(cred, 'keystore-passphrase')}). ` +
          'For production set CAIRN_PKCS11_MODULE / CAIRN_PKCS11_TOKEN / CAIRN_PKCS11_PIN.\n\n',
      );
    }
    const logKey = await ensureKey(keys, LOG_KEY_LABEL, 'ed25519');
    const signerConfig: SignerConfig = {
      dataDir: signerDir,
      listen: { host: config.signer.host, port: config.signer.port },
      database: { dialect: 'sqlite', path: join(signerDir, 'signer.db') },
      keystore: keyStoreConfig(config, quiet),
      tls: {
        enabled: true,
        dnsNames: ['localhost'],
        ipAddresses: ['127.0.0.1'],
        clientCertificates: false,
      },
      log: {
        keyLabel: LOG_KEY_LABEL,
        tlogOrigin: TLOG_ORIGIN,
        auditOrigin: AUDIT_ORIGIN,
        checkpointIntervalMs: 60_000,
      },
    };
    const signer = await p.step(
      'starting the signing service (ledger, PKI: root + issuing CA, TLS)',
      () => serveSigner(signerConfig, { keys, logger: false }),
    );
    toClose.push(() => signer.close());
    const signerTokenFile = join(signerDir, 'admin-token');
    if (signer.bootstrapTokenFile)
      newSecrets.push(
        `signer admin token: ${readFileSync(signer.bootstrapTokenFile, 'utf8').trim()}`,
      );
    const root = await signer.stack.pki.getCa('root');
    const caFile = join(data, 'ca.pem');
    writeFileSync(caFile, root.pem);

    const ids = productUuids(config.product.vendorDomain, config.product.model);
    await p.step(
      `firmware key '${FIRMWARE_KEY_LABEL}' (ECDSA P-256) and signer worker with its code-signing certificate`,
      async () => {
        await ensureKey(keys, FIRMWARE_KEY_LABEL, 'ecdsa-p256');
        const workers = await signer.stack.service.workers.list();
        if (!workers.some((w) => w.name === FIRMWARE_WORKER))
          await signer.stack.service.workers.create({
            name: FIRMWARE_WORKER,
            keyLabel: FIRMWARE_KEY_LABEL,
            products: [ids],
            formats: ['suit'],
          });
      },
    );

    const signingTokenFile = join(cred, 'signer-signing-token');
    if (!existsSync(signingTokenFile)) {
      const { token } = await signer.stack.service.tokens.create(
        {
          name: 'demo-ci',
          grants: [{ role: 'signer', worker: FIRMWARE_WORKER }],
          ttlSeconds: 90 * 24 * 3600,
        },
        'cairn up',
      );
      writeSecret(signingTokenFile, token + '\n');
      newSecrets.push(`signer signing token (role signer on ${FIRMWARE_WORKER}): ${token}`);
    }
    const serverToken = readOrCreateSecret(join(cred, 'server-admin-token'));
    if (serverToken.created) newSecrets.push(`update server admin token: ${serverToken.value}`);
    const server = await p.step(
      'opening the update server (TLS certificate from the issuing CA)',
      async () => {
        const tls = await serverTls(signer, ensureDir(join(serverDir, 'tls')), config.server.host);
        const s = await createServer({
          dataDir: serverDir,
          host: config.server.host,
          port: config.server.port,
          adminToken: serverToken.value,
          pollingSleepSeconds: config.server.pollingSleepSeconds,
          tls,
        });
        if (!s.app.hasRoute({ method: 'GET', url: '/healthz' }))
          s.app.get('/healthz', () => Promise.resolve({ status: 'ok' }));
        return s;
      },
    );
    toClose.push(() => server.close());

    await p.step(`product '${config.product.id}' (trust anchor: the root CA)`, async () => {
      try {
        await server.services.products.create({
          id: config.product.id,
          name: config.product.name,
          ...ids,
          anchors: [{ kind: 'pem', value: root.pem, label: 'Cairn Root CA' }],
        });
      } catch (err) {
        if (!(isCairnError(err) && err.code === 'PRODUCT_EXISTS')) throw err;
      }
    });
    const serverUrl = await p.step('listening', () => server.listen());
    const info: PlatformInfo = {
      signerUrl: signer.url,
      serverUrl: serverUrl.replace('://127.0.0.1', '://localhost'),
      caFile,
      signerTokenFile,
      signingTokenFile,
      serverTokenFile: join(cred, 'server-admin-token'),
      product: { id: config.product.id, name: config.product.name, ...ids },
      worker: FIRMWARE_WORKER,
      signerDatabase: join(signerDir, 'signer.db'),
      tlogVerifierKey: formatNoteVerifierKey(TLOG_ORIGIN, logKey.subarray(-32)),
      auditVerifierKey: formatNoteVerifierKey(AUDIT_ORIGIN, logKey.subarray(-32)),
      keystore: keys.description,
    };
    const logKeys = ensureDir(join(data, 'log-keys'));
    writeFileSync(join(logKeys, 'tlog.vkey'), info.tlogVerifierKey + '\n');
    writeFileSync(join(logKeys, 'audit.vkey'), info.auditVerifierKey + '\n');
    writeFileSync(join(data, PLATFORM_INFO_FILE), JSON.stringify(info, null, 2) + '\n');
    return {
      info,
      signer,
      server,
      keys,
      newSecrets,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** Read DATA/platform.json written by a running `cairn up`. */
export function readPlatformInfo(dataDir: string): PlatformInfo {
  const path = join(dataDir, PLATFORM_INFO_FILE);
  const text = readFileSync(path, 'utf8');
  if (text.length > 64 * 1024) throw new Error(`${path} is larger than 64 KiB`);
  return JSON.parse(text) as PlatformInfo;
}
