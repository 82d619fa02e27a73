import {
  createPrivateKey,
  generateKeyPair,
  randomBytes,
  sign as cryptoSign,
  constants,
  type KeyObject,
} from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { KeyType, SignatureAlgorithm, Signer } from '@cairn/core';
import {
  algorithmFor,
  assertKeyType,
  checkDigest,
  checkLabel,
  checkMessage,
} from '../algorithms.js';
import { KeyError } from '../errors.js';
import { readSecret } from '../secrets.js';
import { storeSigner } from '../signer.js';
import type { KeyInfo, KeyStore, SoftwareKeyStoreConfig } from '../types.js';
import { createFileAtomic } from './atomic.js';
import {
  MAX_KEY_FILE_BYTES,
  MIN_LOG2N,
  openKeyFile,
  parseKeyFile,
  sealKeyFile,
  type KeyFile,
} from './format.js';
import { ecdsaSignDigest, pssSignDigest } from './prehash.js';

const SUFFIX = '.key.json';
const MAX_KEYS = 10_000;
const warned = new Set<string>();

interface Loaded {
  readonly info: KeyInfo;
  readonly key: KeyObject;
}

function generatePair(type: KeyType): Promise<{ pkcs8: Buffer; spki: Buffer }> {
  const enc = {
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  } as const;
  return new Promise((res, rej) => {
    const done = (err: Error | null, spki: Buffer, pkcs8: Buffer): void => {
      if (err) rej(err);
      else res({ pkcs8, spki });
    };
    switch (type) {
      case 'ecdsa-p256':
        generateKeyPair('ec', { namedCurve: 'P-256', ...enc }, done);
        break;
      case 'ecdsa-p384':
        generateKeyPair('ec', { namedCurve: 'P-384', ...enc }, done);
        break;
      case 'ed25519':
        generateKeyPair('ed25519', enc, done);
        break;
      case 'rsa-pss-3072':
        generateKeyPair('rsa', { modulusLength: 3072, ...enc }, done);
        break;
    }
  });
}

function signAsync(
  alg: string | null,
  data: Uint8Array,
  key: Parameters<typeof cryptoSign>[2],
): Promise<Uint8Array> {
  return new Promise((res, rej) => {
    cryptoSign(alg, data, key, (err, sig) => {
      if (err)
        rej(new KeyError('SIGN_FAILED', `software signing failed: ${err.message}`, { cause: err }));
      else res(new Uint8Array(sig));
    });
  });
}

/** The encrypted software keystore: one file per key in a 0700 directory. NOT an HSM. */
export class SoftwareKeyStore implements KeyStore {
  readonly backend = 'software' as const;
  readonly description: string;
  readonly dir: string;
  private readonly passphrase: string;
  private readonly log2N: number;
  private readonly loaded = new Map<string, Promise<Loaded>>();
  private closed = false;

  private constructor(dir: string, passphrase: string, log2N: number) {
    this.dir = dir;
    this.passphrase = passphrase;
    this.log2N = log2N;
    this.description = `SOFTWARE KEYSTORE (not an HSM) at ${dir}`;
  }

  static async open(config: SoftwareKeyStoreConfig): Promise<SoftwareKeyStore> {
    const passphrase = readSecret(
      'keystore passphrase',
      { value: config.passphrase, env: config.passphraseEnv, file: config.passphraseFile },
      'PASSPHRASE_MISSING',
    );
    if (passphrase === undefined) {
      throw new KeyError(
        'PASSPHRASE_MISSING',
        'the software keystore needs a passphrase: set passphrase, passphraseEnv (e.g. CAIRN_KEYSTORE_PASSPHRASE) or passphraseFile',
      );
    }
    const log2N = config.scryptLog2N ?? MIN_LOG2N;
    if (!Number.isInteger(log2N) || log2N < MIN_LOG2N || log2N > 20) {
      throw new KeyError(
        'CONFIG_INVALID',
        `scryptLog2N must be an integer ${MIN_LOG2N}..20, got ${log2N}`,
      );
    }
    const dir = resolve(config.dir);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (cause) {
      throw new KeyError(
        'KEYSTORE_CORRUPT',
        `cannot create keystore directory ${dir}: ${(cause as Error).message}`,
        { cause },
      );
    }
    const store = new SoftwareKeyStore(dir, passphrase, log2N);
    const warn =
      config.warn ??
      ((m: string) => {
        console.warn(m);
      });
    if (config.warn !== undefined || !warned.has(dir)) {
      warned.add(dir);
      warn(
        `cairn: WARNING: ${store.description}: private keys are files encrypted with a passphrase; use a PKCS#11 HSM for production keys`,
      );
    }
    const [first] = store.fileNames();
    if (first !== undefined) await store.load(first.slice(0, -SUFFIX.length));
    return store;
  }

  private fileNames(): string[] {
    const names = readdirSync(this.dir).filter((n) => n.endsWith(SUFFIX) && !n.startsWith('.'));
    if (names.length > MAX_KEYS) {
      throw new KeyError(
        'KEYSTORE_CORRUPT',
        `keystore ${this.dir} holds ${names.length} key files, over the ${MAX_KEYS} limit`,
      );
    }
    return names.sort();
  }

  private check(): void {
    if (this.closed)
      throw new KeyError('KEYSTORE_CLOSED', `keystore ${this.dir} is closed: open it again`);
  }

  private readFile(label: string): KeyFile | undefined {
    const path = join(this.dir, label + SUFFIX);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const size = fstatSync(fd).size;
      if (size > MAX_KEY_FILE_BYTES) {
        throw new KeyError(
          'KEYSTORE_CORRUPT',
          `key file ${path} is ${size} bytes, over the ${MAX_KEY_FILE_BYTES}-byte limit`,
        );
      }
      const buf = Buffer.alloc(size);
      const n = readSync(fd, buf, 0, size, 0);
      const file = parseKeyFile(buf.subarray(0, n).toString('utf8'), path);
      if (file.label !== label) {
        throw new KeyError(
          'KEYSTORE_CORRUPT',
          `key file ${path} holds label '${file.label}', not '${label}'`,
        );
      }
      return file;
    } finally {
      closeSync(fd);
    }
  }

  private infoOf(file: KeyFile): KeyInfo {
    return Object.freeze({
      label: file.label,
      id: file.id,
      type: file.type,
      publicKey: new Uint8Array(Buffer.from(file.publicKey, 'base64')),
      backend: 'software' as const,
    });
  }

  private load(label: string): Promise<Loaded> {
    let p = this.loaded.get(label);
    if (p === undefined) {
      p = (async () => {
        const file = this.readFile(label);
        if (file === undefined) throw this.notFound(label);
        const pkcs8 = await openKeyFile(file, this.passphrase, join(this.dir, label + SUFFIX));
        try {
          return {
            info: this.infoOf(file),
            key: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }),
          };
        } finally {
          pkcs8.fill(0);
        }
      })();
      this.loaded.set(label, p);
      p.catch(() => this.loaded.delete(label));
    }
    return p;
  }

  private notFound(label: string): KeyError {
    return new KeyError(
      'KEY_NOT_FOUND',
      `no key '${label}' in ${this.description}: 'cairn keys list' shows the labels`,
    );
  }

  async generate(label: string, type: KeyType): Promise<KeyInfo> {
    this.check();
    checkLabel(label);
    assertKeyType(type);
    if (this.readFile(label) !== undefined) throw this.exists(label);
    const { pkcs8, spki } = await generatePair(type);
    const meta = { label, id: randomBytes(16).toString('hex'), type, publicKey: spki };
    const file = await sealKeyFile(meta, pkcs8, this.passphrase, this.log2N);
    try {
      createFileAtomic(this.dir, label + SUFFIX, Buffer.from(JSON.stringify(file, null, 2) + '\n'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw this.exists(label);
      throw err;
    }
    const info = this.infoOf(file);
    this.loaded.set(
      label,
      Promise.resolve({
        info,
        key: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }),
      }),
    );
    pkcs8.fill(0);
    return info;
  }

  private exists(label: string): KeyError {
    return new KeyError(
      'KEY_EXISTS',
      `a key labelled '${label}' already exists in ${this.description}: pick another label`,
    );
  }

  list(): Promise<KeyInfo[]> {
    this.check();
    const out: KeyInfo[] = [];
    for (const name of this.fileNames()) {
      const file = this.readFile(name.slice(0, -SUFFIX.length));
      if (file !== undefined) out.push(this.infoOf(file));
    }
    return Promise.resolve(out);
  }

  get(label: string): Promise<KeyInfo> {
    this.check();
    checkLabel(label);
    const file = this.readFile(label);
    if (file === undefined) return Promise.reject(this.notFound(label));
    return Promise.resolve(this.infoOf(file));
  }

  async sign(label: string, algorithm: SignatureAlgorithm, data: Uint8Array): Promise<Uint8Array> {
    this.check();
    checkLabel(label);
    const { info, key } = await this.load(label);
    const spec = algorithmFor(label, info.type, algorithm);
    checkMessage(data);
    if (spec.hash === undefined) return signAsync(null, data, key);
    if (info.type === 'rsa-pss-3072') {
      return signAsync(spec.hash, data, {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      });
    }
    return signAsync(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' });
  }

  async signDigest(
    label: string,
    algorithm: SignatureAlgorithm,
    digest: Uint8Array,
  ): Promise<Uint8Array> {
    this.check();
    checkLabel(label);
    const { info, key } = await this.load(label);
    const spec = algorithmFor(label, info.type, algorithm);
    const hash = checkDigest(label, algorithm, spec, digest);
    try {
      return info.type === 'rsa-pss-3072'
        ? pssSignDigest(key, digest)
        : ecdsaSignDigest(key, hash, digest);
    } catch (cause) {
      throw new KeyError(
        'SIGN_FAILED',
        `software signing of a digest with '${label}' failed: ${(cause as Error).message}`,
        { cause },
      );
    }
  }

  async signer(label: string, algorithm?: SignatureAlgorithm): Promise<Signer> {
    return storeSigner(this, await this.get(label), algorithm);
  }

  close(): Promise<void> {
    this.closed = true;
    this.loaded.clear();
    return Promise.resolve();
  }
}
