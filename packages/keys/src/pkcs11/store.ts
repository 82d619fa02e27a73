import { createHash, randomBytes } from 'node:crypto';
import type { KeyType, SignatureAlgorithm, Signer } from '@cairn/core';
import {
  algorithmFor,
  assertKeyType,
  checkDigest,
  checkLabel,
  checkMessage,
  type AlgorithmSpec,
} from '../algorithms.js';
import { KeyError } from '../errors.js';
import { readSecret } from '../secrets.js';
import { storeSigner } from '../signer.js';
import type { KeyInfo, KeyStore, Pkcs11KeyStoreConfig } from '../types.js';
import { mechanismFor, nonNull } from './mechanisms.js';
import {
  acquireModule,
  ckrName,
  pkcs11js,
  releaseModule,
  type Handle,
  type Pkcs11,
} from './module.js';
import {
  findObjects,
  keyGenSpec,
  keyPairTemplates,
  readTokenKey,
  type TokenKey,
} from './objects.js';
import { SessionPool } from './session-pool.js';
import { defaultSignThreads, MAX_SIGN_THREADS, SignThreads } from './sign-threads.js';

const P = pkcs11js;
const trim = (s: string): string => s.replace(/[\s\0]+$/, '');

function findSlot(
  lib: Pkcs11,
  tokenLabel: string,
  module: string,
): { slot: Handle; info: pkcs11js.TokenInfo } {
  const seen: string[] = [];
  for (const slot of lib.C_GetSlotList(true)) {
    const info = lib.C_GetTokenInfo(slot);
    const label = trim(info.label);
    if (label === tokenLabel) return { slot, info };
    seen.push(`'${label}'`);
  }
  throw new KeyError(
    'TOKEN_NOT_FOUND',
    `no token labelled '${tokenLabel}' in ${module}; tokens present: ${seen.length > 0 ? seen.join(', ') : 'none'} (create one with softhsm2-util --init-token)`,
    { details: { available: seen } },
  );
}

/** Keys in a PKCS#11 token (an HSM, or SoftHSM2 in tests); private keys never leave it. */
export class Pkcs11KeyStore implements KeyStore {
  readonly backend = 'pkcs11' as const;
  readonly description: string;
  private readonly lib: Pkcs11;
  private readonly module: string;
  private readonly pool: SessionPool;
  private readonly keys = new Map<string, TokenKey>();
  private mechanisms: Set<number> | undefined;
  /** Worker threads that sign; undefined with signThreads: 0 (sign on this thread). */
  private readonly threads: SignThreads | undefined;
  private generating: Promise<unknown> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(config: Pkcs11KeyStoreConfig, lib: Pkcs11, pin: string) {
    this.lib = lib;
    this.module = config.module;
    const size = config.sessions ?? 4;
    if (!Number.isInteger(size) || size < 1 || size > 64) {
      throw new KeyError('CONFIG_INVALID', `sessions must be an integer 1..64, got ${size}`);
    }
    const threads = config.signThreads ?? defaultSignThreads();
    if (!Number.isInteger(threads) || threads < 0 || threads > MAX_SIGN_THREADS) {
      throw new KeyError(
        'CONFIG_INVALID',
        `signThreads must be an integer 0..${MAX_SIGN_THREADS} (0 signs on the main thread), got ${threads}`,
      );
    }
    const found = findSlot(lib, config.tokenLabel, config.module);
    const i = found.info;
    this.description = `PKCS#11 token '${config.tokenLabel}' (${trim(i.manufacturerID)} ${trim(i.model)}, serial ${trim(i.serialNumber)}) via ${config.module}`;
    this.pool = new SessionPool({
      lib,
      size,
      findSlot: () => findSlot(lib, config.tokenLabel, config.module).slot,
      login: (s) => {
        this.login(s, pin, config.tokenLabel);
      },
      onReset: (gen) => {
        this.keys.clear();
        this.threads?.setGeneration(gen);
      },
      onReinitialized: (gen) => {
        this.threads?.setReinitialized(gen);
      },
    });
    this.threads = threads > 0 ? new SignThreads(config.module, threads) : undefined;
  }

  static async open(config: Pkcs11KeyStoreConfig): Promise<Pkcs11KeyStore> {
    const pin = readSecret(
      `PIN for token '${config.tokenLabel}'`,
      { value: config.pin, env: config.pinEnv, file: config.pinFile },
      'PIN_MISSING',
    );
    if (pin === undefined) {
      throw new KeyError(
        'PIN_MISSING',
        `token '${config.tokenLabel}' needs a user PIN: set pin, pinEnv (e.g. CAIRN_PKCS11_PIN) or pinFile`,
      );
    }
    const lib = acquireModule(config.module);
    try {
      const store = new Pkcs11KeyStore(config, lib, pin);
      await store.pool.run('login', () => undefined);
      return store;
    } catch (err) {
      releaseModule(config.module);
      throw err;
    }
  }

  private login(s: Handle, pin: string, token: string): void {
    try {
      this.lib.C_Login(s, P.CKU_USER, pin);
    } catch (err) {
      const name = ckrName(err);
      if (name === 'CKR_USER_ALREADY_LOGGED_IN') return;
      if (
        name === 'CKR_PIN_INCORRECT' ||
        name === 'CKR_PIN_LEN_RANGE' ||
        name === 'CKR_PIN_INVALID'
      ) {
        throw new KeyError(
          'PIN_INCORRECT',
          `the user PIN for token '${token}' is incorrect (repeated failures lock the token): check CAIRN_PKCS11_PIN or the PIN file`,
          { cause: err },
        );
      }
      if (name === 'CKR_PIN_LOCKED') {
        throw new KeyError(
          'PIN_LOCKED',
          `the user PIN of token '${token}' is locked after too many failures: reset it with the SO PIN (pkcs11-tool --init-pin --login --login-type so)`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  private check(): void {
    if (this.closed)
      throw new KeyError('KEYSTORE_CLOSED', `${this.description} is closed: open it again`);
  }

  private wrap(what: string, err: unknown): unknown {
    if (err instanceof KeyError) return err;
    const name = ckrName(err) ?? (err instanceof Error ? err.message : String(err));
    return new KeyError('SIGN_FAILED', `${what} on ${this.description} failed: ${name}`, {
      cause: err,
    });
  }

  private findByLabel(s: Handle, label: string): TokenKey | undefined {
    const cached = this.keys.get(label);
    if (cached !== undefined) return cached;
    const handles = findObjects(this.lib, s, [
      { type: P.CKA_CLASS, value: P.CKO_PRIVATE_KEY },
      { type: P.CKA_LABEL, value: label },
    ]);
    for (const h of handles) {
      const key = readTokenKey(this.lib, s, h);
      if (key !== undefined) {
        this.keys.set(label, key);
        return key;
      }
    }
    return undefined;
  }

  private need(s: Handle, label: string): TokenKey {
    const key = this.findByLabel(s, label);
    if (key === undefined) {
      throw new KeyError(
        'KEY_NOT_FOUND',
        `no key '${label}' in ${this.description}: 'cairn keys list' shows the labels`,
      );
    }
    return key;
  }

  private info(k: TokenKey): KeyInfo {
    return Object.freeze({
      label: k.label,
      id: k.id.toString('hex'),
      type: k.type,
      publicKey: k.publicKey,
      backend: 'pkcs11' as const,
    });
  }

  private supports(s: Handle, mechanism: number): boolean {
    if (this.mechanisms === undefined) {
      const slot = this.lib.C_GetSessionInfo(s).slotID;
      this.mechanisms = new Set(this.lib.C_GetMechanismList(slot));
    }
    return this.mechanisms.has(mechanism);
  }

  async generate(label: string, type: KeyType): Promise<KeyInfo> {
    this.check();
    checkLabel(label);
    assertKeyType(type);
    // One generation at a time so two calls cannot both take the same label.
    const run = this.generating.then(() =>
      this.pool.run(`generate '${label}'`, async (s) => {
        if (this.findByLabel(s, label) !== undefined) {
          throw new KeyError(
            'KEY_EXISTS',
            `a key labelled '${label}' already exists in ${this.description}: pick another label`,
          );
        }
        const spec = keyGenSpec(type);
        if (!this.supports(s, spec.mechanism)) {
          throw new KeyError(
            'ALGORITHM_NOT_SUPPORTED',
            `${this.description} cannot generate ${type} keys (mechanism 0x${spec.mechanism.toString(16)} missing): use another key type or token`,
          );
        }
        const t = keyPairTemplates(spec, label, randomBytes(16));
        let pair: pkcs11js.KeyPair;
        try {
          pair = await this.lib.C_GenerateKeyPairAsync(
            s,
            { mechanism: spec.mechanism },
            t.pub,
            t.priv,
          );
        } catch (err) {
          if (
            ckrName(err) === 'CKR_DOMAIN_PARAMS_INVALID' ||
            ckrName(err) === 'CKR_CURVE_NOT_SUPPORTED'
          ) {
            throw new KeyError(
              'ALGORITHM_NOT_SUPPORTED',
              `${this.description} does not support ${type} keys (${ckrName(err)})`,
              { cause: err },
            );
          }
          throw err;
        }
        const key = readTokenKey(this.lib, s, pair.privateKey);
        if (key === undefined)
          throw new KeyError(
            'SIGN_FAILED',
            `generated ${type} key '${label}' could not be read back`,
          );
        this.keys.set(label, key);
        return this.info(key);
      }),
    );
    this.generating = run.catch(() => undefined);
    try {
      return await run;
    } catch (err) {
      throw this.wrap(`generate '${label}'`, err);
    }
  }

  async list(): Promise<KeyInfo[]> {
    this.check();
    try {
      return await this.pool.run('list keys', (s) => {
        const out: KeyInfo[] = [];
        for (const h of findObjects(this.lib, s, [
          { type: P.CKA_CLASS, value: P.CKO_PRIVATE_KEY },
        ])) {
          const k = readTokenKey(this.lib, s, h);
          if (k !== undefined) out.push(this.info(k));
        }
        return out.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
      });
    } catch (err) {
      throw this.wrap('list keys', err);
    }
  }

  async get(label: string): Promise<KeyInfo> {
    this.check();
    checkLabel(label);
    try {
      return await this.pool.run(`get '${label}'`, (s) => this.info(this.need(s, label)));
    } catch (err) {
      throw this.wrap(`get '${label}'`, err);
    }
  }

  private async signRaw(
    label: string,
    algorithm: SignatureAlgorithm,
    input: (spec: AlgorithmSpec) => Uint8Array,
  ): Promise<Uint8Array> {
    this.check();
    checkLabel(label);
    try {
      return await this.pool.run(`sign with '${label}'`, async (s, taint, lease) => {
        const key = this.need(s, label);
        const spec = algorithmFor(label, key.type, algorithm);
        const threads = this.threads;
        if (threads !== undefined) {
          // C_SignInit + C_Sign on a sign thread's own session; this lease only holds
          // a place in the pool (and its generation) until the signature is back.
          return await threads.sign({
            gen: lease.gen,
            slot: lease.slot,
            key: key.handle,
            type: key.type,
            data: input(spec),
          });
        }
        const data = nonNull(input(spec));
        this.lib.C_SignInit(s, mechanismFor(key.type), key.handle);
        // From here the session has an active operation: if signing fails, drop the session.
        taint();
        const sig = await this.lib.C_SignAsync(s, data, Buffer.alloc(512));
        return new Uint8Array(sig);
      });
    } catch (err) {
      throw this.wrap(`sign with '${label}'`, err);
    }
  }

  sign(label: string, algorithm: SignatureAlgorithm, data: Uint8Array): Promise<Uint8Array> {
    checkMessage(data);
    // SoftHSM2 and many HSMs offer only raw CKM_ECDSA: hash here, sign the digest there.
    return this.signRaw(label, algorithm, (spec) =>
      spec.hash === undefined ? data : createHash(spec.hash).update(data).digest(),
    );
  }

  signDigest(
    label: string,
    algorithm: SignatureAlgorithm,
    digest: Uint8Array,
  ): Promise<Uint8Array> {
    return this.signRaw(label, algorithm, (spec) => {
      checkDigest(label, algorithm, spec, digest);
      return digest;
    });
  }

  async signer(label: string, algorithm?: SignatureAlgorithm): Promise<Signer> {
    return storeSigner(this, await this.get(label), algorithm);
  }

  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.closed = true;
    this.pool.close();
    this.keys.clear();
    const threads = this.threads;
    // The sign threads exit (closing their sessions) before the library may be finalised.
    if (threads === undefined) {
      releaseModule(this.module);
      this.closing = Promise.resolve();
    } else {
      this.closing = threads.close().finally(() => {
        releaseModule(this.module);
      });
    }
    return this.closing;
  }
}
