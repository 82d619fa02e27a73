import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ValidationError } from '@cairn/core';
import type { FieldIssue } from '@cairn/core';

/** Where `cairn up` keeps everything, and what it runs. See packages/cli/README.md. */
export interface PlatformConfig {
  readonly dataDir: string;
  readonly signer: { readonly host: string; readonly port: number };
  readonly server: {
    readonly host: string;
    readonly port: number;
    readonly pollingSleepSeconds: number;
  };
  readonly product: {
    readonly id: string;
    readonly name: string;
    /** SUIT vendor-id = UUIDv5(DNS namespace, vendorDomain). */
    readonly vendorDomain: string;
    /** SUIT class-id = UUIDv5(vendor-id, model). */
    readonly model: string;
  };
  readonly keystore:
    | { readonly backend: 'software' }
    | {
        readonly backend: 'pkcs11';
        readonly module: string;
        readonly tokenLabel: string;
        /** Environment variable holding the user PIN. */
        readonly pinEnv: string;
      };
}

export const DEFAULT_DATA_DIR = 'cairn-data';
export const CONFIG_FILE_NAME = 'cairn.json';
export const MAX_CONFIG_BYTES = 64 * 1024;

export const PLATFORM_DEFAULTS = Object.freeze({
  signer: Object.freeze({ host: '127.0.0.1', port: 8443 }),
  server: Object.freeze({ host: '127.0.0.1', port: 8444, pollingSleepSeconds: 30 }),
  product: Object.freeze({
    id: 'demo-gateway',
    name: 'Cairn demo gateway',
    vendorDomain: 'cairn.example',
    model: 'demo-gateway',
  }),
});

const SECTIONS: Readonly<Record<string, readonly string[]>> = {
  signer: ['host', 'port'],
  server: ['host', 'port', 'pollingSleepSeconds'],
  product: ['id', 'name', 'vendorDomain', 'model'],
  keystore: ['backend', 'module', 'tokenLabel', 'pinEnv'],
};

export interface LoadPlatformConfigOptions {
  /** --data; else env CAIRN_DATA; else ./cairn-data. */
  readonly dataDir?: string;
  /** --config; else DATA/cairn.json when it exists. */
  readonly configFile?: string;
  readonly env?: NodeJS.ProcessEnv;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function readFile(path: string): Obj {
  const size = statSync(path).size;
  if (size > MAX_CONFIG_BYTES)
    throw new ValidationError(`config ${path}`, [
      { path: '(file)', problem: `must be at most ${MAX_CONFIG_BYTES} bytes (is ${size})` },
    ]);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ValidationError(`config ${path}`, [
      { path: '(file)', problem: `is not JSON: ${(err as Error).message}` },
    ]);
  }
  if (!isObj(raw))
    throw new ValidationError(`config ${path}`, [{ path: '(file)', problem: 'must be an object' }]);
  return raw;
}

/**
 * The platform configuration: defaults, then the config file, then the environment
 * (CAIRN_SIGNER_HOST/PORT, CAIRN_SERVER_HOST/PORT, CAIRN_PKCS11_MODULE/TOKEN/PIN).
 * Throws ValidationError naming every bad field.
 */
export function loadPlatformConfig(o: LoadPlatformConfigOptions = {}): PlatformConfig {
  const env = o.env ?? process.env;
  const dataDir = resolve(o.dataDir ?? env['CAIRN_DATA'] ?? DEFAULT_DATA_DIR);
  const defaultFile = join(dataDir, CONFIG_FILE_NAME);
  const file = o.configFile ?? (existsSync(defaultFile) ? defaultFile : undefined);
  const raw = file === undefined ? {} : readFile(file);
  const issues: FieldIssue[] = [];
  for (const [k, v] of Object.entries(raw)) {
    const keys = SECTIONS[k];
    if (keys === undefined) {
      issues.push({
        path: k,
        problem: `is not a setting (known: ${Object.keys(SECTIONS).join(', ')})`,
      });
      continue;
    }
    if (!isObj(v)) {
      issues.push({ path: k, problem: 'must be an object' });
      continue;
    }
    for (const f of Object.keys(v))
      if (!keys.includes(f))
        issues.push({ path: `${k}.${f}`, problem: `is not a setting (known: ${keys.join(', ')})` });
  }
  const section = (k: string): Obj => (isObj(raw[k]) ? raw[k] : {});
  const pick = (k: string, f: string, envName?: string): unknown =>
    (envName === undefined ? undefined : env[envName]) ?? section(k)[f];

  const text = (path: string, v: unknown, dflt: string, re: RegExp, problem: string): string => {
    if (v === undefined) return dflt;
    if (typeof v !== 'string' || !re.test(v)) {
      issues.push({ path, problem });
      return dflt;
    }
    return v;
  };
  const int = (path: string, v: unknown, dflt: number, min: number, max: number): number => {
    if (v === undefined) return dflt;
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      issues.push({ path, problem: `must be an integer ${min}..${max}` });
      return dflt;
    }
    return n;
  };
  const HOST = /^[A-Za-z0-9.:[\]-]{1,253}$/;
  const D = PLATFORM_DEFAULTS;
  const signer = {
    host: text(
      'signer.host',
      pick('signer', 'host', 'CAIRN_SIGNER_HOST'),
      D.signer.host,
      HOST,
      'must be a host name or address',
    ),
    port: int('signer.port', pick('signer', 'port', 'CAIRN_SIGNER_PORT'), D.signer.port, 0, 65535),
  };
  const server = {
    host: text(
      'server.host',
      pick('server', 'host', 'CAIRN_SERVER_HOST'),
      D.server.host,
      HOST,
      'must be a host name or address',
    ),
    port: int('server.port', pick('server', 'port', 'CAIRN_SERVER_PORT'), D.server.port, 0, 65535),
    pollingSleepSeconds: int(
      'server.pollingSleepSeconds',
      pick('server', 'pollingSleepSeconds'),
      D.server.pollingSleepSeconds,
      1,
      86_400,
    ),
  };
  if (signer.port !== 0 && signer.port === server.port && signer.host === server.host)
    issues.push({ path: 'server.port', problem: `must differ from signer.port (${signer.port})` });
  const product = {
    id: text(
      'product.id',
      pick('product', 'id'),
      D.product.id,
      /^[a-z0-9][a-z0-9._-]{0,63}$/,
      'must match [a-z0-9][a-z0-9._-]* (at most 64 characters)',
    ),
    name: text(
      'product.name',
      pick('product', 'name'),
      D.product.name,
      /^.{1,200}$/,
      'must be 1-200 characters',
    ),
    vendorDomain: text(
      'product.vendorDomain',
      pick('product', 'vendorDomain'),
      D.product.vendorDomain,
      /^[A-Za-z0-9.-]{1,253}$/,
      'must be a domain name, e.g. example.com',
    ),
    model: text(
      'product.model',
      pick('product', 'model'),
      D.product.model,
      /^.{1,200}$/,
      'must be 1-200 characters',
    ),
  };
  const ks = section('keystore');
  const module = env['CAIRN_PKCS11_MODULE'] ?? ks['module'];
  const backend = ks['backend'] ?? (module === undefined ? 'software' : 'pkcs11');
  let keystore: PlatformConfig['keystore'] = { backend: 'software' };
  if (backend === 'pkcs11' || env['CAIRN_PKCS11_MODULE'] !== undefined) {
    const tokenLabel = env['CAIRN_PKCS11_TOKEN'] ?? ks['tokenLabel'];
    const pinEnv = ks['pinEnv'] ?? 'CAIRN_PKCS11_PIN';
    if (typeof module !== 'string' || module === '')
      issues.push({
        path: 'keystore.module',
        problem: 'must be the path of a PKCS#11 module (.so) [CAIRN_PKCS11_MODULE]',
      });
    if (typeof tokenLabel !== 'string' || tokenLabel === '')
      issues.push({
        path: 'keystore.tokenLabel',
        problem: 'must name the token [CAIRN_PKCS11_TOKEN]',
      });
    if (typeof pinEnv !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(pinEnv))
      issues.push({ path: 'keystore.pinEnv', problem: 'must be an environment variable name' });
    keystore = {
      backend: 'pkcs11',
      module: String(module),
      tokenLabel: String(tokenLabel),
      pinEnv: typeof pinEnv === 'string' ? pinEnv : 'CAIRN_PKCS11_PIN',
    };
  } else if (backend !== 'software') {
    issues.push({ path: 'keystore.backend', problem: "must be 'software' or 'pkcs11'" });
  }
  if (issues.length > 0)
    throw new ValidationError(`cairn up configuration${file ? ` (${file})` : ''}`, issues);
  return { dataDir, signer, server, product, keystore };
}
