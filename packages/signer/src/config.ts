import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '@cairn/core';
import type { FieldIssue } from '@cairn/core';
import type { DatabaseConfig } from '@cairn/db';
import type { KeyStoreConfig } from '@cairn/keys';

/** `cairn signer serve` configuration (file, then environment, then defaults). */
export interface SignerConfig {
  readonly dataDir: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly database: DatabaseConfig;
  readonly keystore: KeyStoreConfig;
  readonly tls: {
    readonly enabled: boolean;
    /** SAN of the server certificate Cairn's PKI issues (when certFile/keyFile are not given). */
    readonly dnsNames: readonly string[];
    readonly ipAddresses: readonly string[];
    readonly certFile?: string;
    readonly keyFile?: string;
    /** Accept TLS client certificates from Cairn's PKI (mTLS principals). */
    readonly clientCertificates: boolean;
  };
  readonly log: {
    readonly keyLabel: string;
    readonly tlogOrigin: string;
    readonly auditOrigin: string;
    readonly checkpointIntervalMs: number;
  };
}

const MAX_CONFIG_BYTES = 256 * 1024;
const KEYS = new Set(['listen', 'database', 'keystore', 'tls', 'log']);

function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : {};
}

/**
 * Build and validate the configuration: `file` (JSON) overrides the defaults for the
 * data directory, CAIRN_SIGNER_HOST / CAIRN_SIGNER_PORT / CAIRN_DATABASE_URL override
 * the file. Throws ValidationError naming every bad field.
 */
export function loadSignerConfig(
  dataDir: string,
  file?: string,
  env: NodeJS.ProcessEnv = process.env,
): SignerConfig {
  const issues: FieldIssue[] = [];
  let raw: Record<string, unknown> = {};
  if (file !== undefined) {
    const text = readFileSync(file);
    if (text.length > MAX_CONFIG_BYTES)
      throw new ValidationError('signer config', [
        { path: '(file)', problem: `must be at most ${MAX_CONFIG_BYTES} bytes` },
      ]);
    try {
      raw = obj(JSON.parse(text.toString('utf8')));
    } catch (err) {
      throw new ValidationError('signer config', [
        { path: '(file)', problem: `is not JSON: ${(err as Error).message}` },
      ]);
    }
  }
  for (const k of Object.keys(raw))
    if (!KEYS.has(k)) issues.push({ path: k, problem: 'is not a known setting' });
  const listen = obj(raw['listen']);
  const host = env['CAIRN_SIGNER_HOST'] ?? listen['host'] ?? '127.0.0.1';
  const portRaw = env['CAIRN_SIGNER_PORT'] ?? listen['port'] ?? 8443;
  const port = Number(portRaw);
  if (typeof host !== 'string' || host === '')
    issues.push({ path: 'listen.host', problem: 'must be a host name or address' });
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    issues.push({ path: 'listen.port', problem: 'must be an integer 0..65535' });

  let database: DatabaseConfig;
  const pgUrl = env['CAIRN_DATABASE_URL'];
  if (pgUrl) database = { dialect: 'postgres', connectionString: pgUrl };
  else if (raw['database'] !== undefined) {
    const d = obj(raw['database']);
    if (d['dialect'] !== 'sqlite' && d['dialect'] !== 'postgres')
      issues.push({ path: 'database.dialect', problem: "must be 'sqlite' or 'postgres'" });
    database = d as unknown as DatabaseConfig;
  } else database = { dialect: 'sqlite', path: join(dataDir, 'signer.db') };

  const ks =
    raw['keystore'] === undefined
      ? {
          backend: 'software',
          dir: join(dataDir, 'keys'),
          passphraseEnv: 'CAIRN_KEYSTORE_PASSPHRASE',
        }
      : obj(raw['keystore']);
  if (ks['backend'] !== 'software' && ks['backend'] !== 'pkcs11')
    issues.push({ path: 'keystore.backend', problem: "must be 'pkcs11' or 'software'" });

  const tls = obj(raw['tls']);
  const strList = (v: unknown, path: string, dflt: string[]): string[] => {
    if (v === undefined) return dflt;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      issues.push({ path, problem: 'must be a list of strings' });
      return dflt;
    }
    return v as string[];
  };
  const bool = (v: unknown, path: string, dflt: boolean): boolean => {
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') issues.push({ path, problem: 'must be true or false' });
    return v === true;
  };
  const certFile = tls['certFile'];
  const keyFile = tls['keyFile'];
  if ((certFile === undefined) !== (keyFile === undefined))
    issues.push({ path: 'tls.certFile', problem: 'certFile and keyFile go together' });
  const log = obj(raw['log']);
  const interval = log['checkpointIntervalMs'] ?? 60_000;
  if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 0)
    issues.push({ path: 'log.checkpointIntervalMs', problem: 'must be a non-negative integer' });
  for (const k of ['keyLabel', 'tlogOrigin', 'auditOrigin'])
    if (log[k] !== undefined && typeof log[k] !== 'string')
      issues.push({ path: `log.${k}`, problem: 'must be a string' });
  if (issues.length) throw new ValidationError('signer config', issues);
  return {
    dataDir,
    listen: { host: host as string, port },
    database,
    keystore: ks as unknown as KeyStoreConfig,
    tls: {
      enabled: bool(tls['enabled'], 'tls.enabled', true),
      dnsNames: strList(tls['dnsNames'], 'tls.dnsNames', ['localhost']),
      ipAddresses: strList(tls['ipAddresses'], 'tls.ipAddresses', ['127.0.0.1']),
      ...(typeof certFile === 'string' ? { certFile } : {}),
      ...(typeof keyFile === 'string' ? { keyFile } : {}),
      clientCertificates: bool(tls['clientCertificates'], 'tls.clientCertificates', true),
    },
    log: {
      keyLabel: (log['keyLabel'] as string | undefined) ?? 'cairn-log',
      tlogOrigin: (log['tlogOrigin'] as string | undefined) ?? 'cairn.example/tlog',
      auditOrigin: (log['auditOrigin'] as string | undefined) ?? 'cairn.example/audit',
      checkpointIntervalMs: interval as number,
    },
  };
}
