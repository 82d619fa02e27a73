import type { NoteSigner } from '@cairn/core';
/** Server configuration, validated at the boundary (every bad field reported at once). */
import { ValidationError } from '@cairn/core';
import type { FieldIssue } from '@cairn/core';
import { assertDatabaseConfig } from '@cairn/db';
import type { DatabaseConfig } from '@cairn/db';
import type { ProxyCertConfig } from './device-auth/device-auth.js';

export interface TlsConfig {
  /** Server certificate chain (PEM). */
  readonly cert: string;
  /** Server private key (PEM). */
  readonly key: string;
  /** Device CA (PEM): when set, client certificates are requested and verified against it. */
  readonly clientCa?: string;
}

export interface ServerConfig {
  /** Directory for artifacts (and the SQLite database unless `database` is given). */
  readonly dataDir: string;
  readonly database?: DatabaseConfig;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  /** Bearer token of the admin routes (at least 16 characters). */
  readonly adminToken: string;
  /** hawkBit tenant in DDI paths. Default "DEFAULT". */
  readonly tenant?: string;
  /** DDI config.polling.sleep. Default 300 s. */
  readonly pollingSleepSeconds?: number;
  /** Base URL used in DDI hrefs; default taken from each request's Host. */
  readonly publicUrl?: string;
  /** Cap on an uploaded .cairn bundle. Default 2 GiB. */
  readonly maxBundleBytes?: number;
  /** Cap on an attached plain artifact. Default 2 GiB. */
  readonly maxArtifactBytes?: number;
  readonly tls?: TlsConfig;
  readonly deviceAuth?: {
    /** Accept per-device TargetTokens. Default true. */
    readonly targetToken?: boolean;
    readonly gatewayToken?: string;
    readonly proxy?: ProxyCertConfig;
  };
  /** Devices kept in the poll caches. Default 262144. */
  readonly cacheSize?: number;
  /**
   * A device's `last_seen` row is written at most once per this many seconds; polls in
   * between are kept in memory (the management API shows them) and written with the
   * device's latest poll when the time is up. Bounds last-seen writes to fleet size ÷ this
   * per second, whatever the polling interval. Default 60; 0 writes every poll's mark at
   * the next 5-second flush.
   */
  readonly lastSeenResolutionSeconds?: number;
  /**
   * Signs the audit log's checkpoints (C2SP note key; e.g. an HSM Ed25519 key via
   * noteSignerFromSigner). Default: a key generated once into <dataDir>/audit-checkpoint.key.
   */
  readonly auditKey?: NoteSigner;
  /** Origin line of the audit checkpoints. Default: the key's name. */
  readonly auditOrigin?: string;
  /** Fastify request logging. Default false. */
  readonly logger?: boolean;
}

export const SERVER_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 8080,
  tenant: 'DEFAULT',
  pollingSleepSeconds: 300,
  maxBundleBytes: 2 * 1024 ** 3,
  maxArtifactBytes: 2 * 1024 ** 3,
  cacheSize: 262_144,
  lastSeenResolutionSeconds: 60,
});

const PEM = /-----BEGIN [A-Z0-9 ]+-----/;

export function assertServerConfig(config: unknown): asserts config is ServerConfig {
  const issues: FieldIssue[] = [];
  if (typeof config !== 'object' || config === null) {
    throw new ValidationError('server config', [{ path: '', problem: 'must be an object' }]);
  }
  const c = config as Record<string, unknown>;
  const str = (k: string, ok: (v: string) => boolean, problem: string, required = false): void => {
    const v = c[k];
    if (v === undefined) {
      if (required) issues.push({ path: k, problem });
      return;
    }
    if (typeof v !== 'string' || !ok(v)) issues.push({ path: k, problem });
  };
  const int = (k: string, min: number, max: number): void => {
    const v = c[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)) {
      issues.push({ path: k, problem: `must be an integer from ${min} to ${max}` });
    }
  };
  str('dataDir', (v) => v !== '' && !v.includes('\0'), 'must be a directory path', true);
  str('adminToken', (v) => v.length >= 16 && v.length <= 512, 'must be 16-512 characters', true);
  str('host', (v) => v !== '', 'must be a host name or address');
  str('tenant', (v) => /^[A-Za-z0-9_-]{1,64}$/.test(v), 'must be 1-64 of [A-Za-z0-9_-]');
  str(
    'publicUrl',
    (v) => /^https?:\/\/[^/]+(\/.*[^/])?$/.test(v),
    'must be an http(s) URL without a trailing slash',
  );
  int('port', 0, 65535);
  int('pollingSleepSeconds', 1, 7 * 24 * 3600);
  int('maxBundleBytes', 1, Number.MAX_SAFE_INTEGER);
  int('maxArtifactBytes', 1, Number.MAX_SAFE_INTEGER);
  int('cacheSize', 1, 10_000_000);
  int('lastSeenResolutionSeconds', 0, 24 * 3600);
  if (c['database'] !== undefined) {
    try {
      assertDatabaseConfig(c['database']);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      for (const i of err.issues) issues.push({ path: `database.${i.path}`, problem: i.problem });
    }
  }
  const tls = c['tls'] as Record<string, unknown> | undefined;
  if (tls !== undefined) {
    for (const k of ['cert', 'key', 'clientCa']) {
      const v = tls[k];
      if ((v !== undefined || k !== 'clientCa') && (typeof v !== 'string' || !PEM.test(v))) {
        issues.push({ path: `tls.${k}`, problem: 'must be PEM text' });
      }
    }
  }
  const da = c['deviceAuth'] as Record<string, unknown> | undefined;
  if (da !== undefined) {
    const g = da['gatewayToken'];
    if (g !== undefined && (typeof g !== 'string' || g.length < 16)) {
      issues.push({ path: 'deviceAuth.gatewayToken', problem: 'must be at least 16 characters' });
    }
    const p = da['proxy'] as Record<string, unknown> | undefined;
    if (p !== undefined) {
      if (!Array.isArray(p['trustedProxies']) || p['trustedProxies'].length === 0) {
        issues.push({
          path: 'deviceAuth.proxy.trustedProxies',
          problem: 'must list the proxy addresses',
        });
      }
      if (typeof p['cnHeader'] !== 'string' || p['cnHeader'] === '') {
        issues.push({
          path: 'deviceAuth.proxy.cnHeader',
          problem: 'must name a header, e.g. X-Ssl-Client-Cn',
        });
      }
    }
  }
  if (issues.length > 0) throw new ValidationError('server config', issues);
}
