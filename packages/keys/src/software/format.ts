/**
 * The software keystore's key file, version 1 (JSON, one file per key):
 *
 *   { format: "cairn.keystore.key", version: 1, label, id, type, publicKey (base64 DER SPKI),
 *     created, kdf: { name: "scrypt", log2N, r, p, salt }, check,
 *     cipher: { name: "aes-256-gcm", nonce, tag, ciphertext } }
 *
 * scrypt(passphrase, salt) gives 64 bytes: an AES-256-GCM key that encrypts the PKCS#8
 * private key (the header fields are the GCM associated data, so editing any of them is
 * detected) and an HMAC key whose tag over a fixed string is `check`, which tells a wrong
 * passphrase (PASSPHRASE_INCORRECT) apart from a damaged file (KEYSTORE_CORRUPT).
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  scrypt,
  timingSafeEqual,
} from 'node:crypto';
import type { KeyType } from '@cairn/core';
import { isKeyType } from '../algorithms.js';
import { KeyError } from '../errors.js';

export const KEY_FILE_FORMAT = 'cairn.keystore.key';
export const KEY_FILE_VERSION = 1;
export const MAX_KEY_FILE_BYTES = 64 * 1024;
export const MIN_LOG2N = 15;
const MAX_LOG2N = 20;
const CHECK_TEXT = 'cairn keystore passphrase check v1';

export interface KeyFile {
  readonly format: typeof KEY_FILE_FORMAT;
  readonly version: typeof KEY_FILE_VERSION;
  readonly label: string;
  readonly id: string;
  readonly type: KeyType;
  readonly publicKey: string;
  readonly created: string;
  readonly kdf: {
    readonly name: 'scrypt';
    readonly log2N: number;
    readonly r: number;
    readonly p: number;
    readonly salt: string;
  };
  readonly check: string;
  readonly cipher: {
    readonly name: 'aes-256-gcm';
    readonly nonce: string;
    readonly tag: string;
    readonly ciphertext: string;
  };
}

function derive(passphrase: string, kdf: KeyFile['kdf']): Promise<Buffer> {
  const N = 2 ** kdf.log2N;
  return new Promise((resolve, reject) => {
    scrypt(
      passphrase.normalize('NFC'),
      Buffer.from(kdf.salt, 'base64'),
      64,
      { N, r: kdf.r, p: kdf.p, maxmem: 256 * N * kdf.r },
      (err, key) => {
        if (err) reject(err);
        else resolve(key);
      },
    );
  });
}

function aad(f: Omit<KeyFile, 'cipher' | 'check' | 'created'>): Buffer {
  const k = f.kdf;
  return Buffer.from(
    [
      f.format,
      f.version,
      f.label,
      f.id,
      f.type,
      f.publicKey,
      k.name,
      k.log2N,
      k.r,
      k.p,
      k.salt,
    ].join('\n'),
  );
}

const checkTag = (macKey: Buffer): Buffer =>
  createHmac('sha256', macKey).update(CHECK_TEXT).digest();

/** Encrypt a PKCS#8 private key into a key file. */
export async function sealKeyFile(
  meta: { label: string; id: string; type: KeyType; publicKey: Uint8Array },
  pkcs8: Uint8Array,
  passphrase: string,
  log2N: number,
): Promise<KeyFile> {
  const kdf = {
    name: 'scrypt' as const,
    log2N,
    r: 8,
    p: 1,
    salt: randomBytes(16).toString('base64'),
  };
  const head = {
    format: KEY_FILE_FORMAT,
    version: KEY_FILE_VERSION,
    label: meta.label,
    id: meta.id,
    type: meta.type,
    publicKey: Buffer.from(meta.publicKey).toString('base64'),
    kdf,
  } as const;
  const key = await derive(passphrase, kdf);
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key.subarray(0, 32), nonce);
  c.setAAD(aad(head));
  const ciphertext = Buffer.concat([c.update(pkcs8), c.final()]);
  return {
    ...head,
    created: new Date().toISOString(),
    check: checkTag(key.subarray(32)).toString('base64'),
    cipher: {
      name: 'aes-256-gcm',
      nonce: nonce.toString('base64'),
      tag: c.getAuthTag().toString('base64'),
      ciphertext: ciphertext.toString('base64'),
    },
  };
}

/** Decrypt a key file's PKCS#8 private key. */
export async function openKeyFile(
  file: KeyFile,
  passphrase: string,
  where: string,
): Promise<Buffer> {
  const key = await derive(passphrase, file.kdf);
  const check = Buffer.from(file.check, 'base64');
  const want = checkTag(key.subarray(32));
  if (check.length !== want.length || !timingSafeEqual(check, want)) {
    throw new KeyError(
      'PASSPHRASE_INCORRECT',
      `the passphrase does not open key '${file.label}' (${where}): check CAIRN_KEYSTORE_PASSPHRASE or the passphrase file`,
    );
  }
  try {
    const d = createDecipheriv(
      'aes-256-gcm',
      key.subarray(0, 32),
      Buffer.from(file.cipher.nonce, 'base64'),
    );
    d.setAAD(aad(file));
    d.setAuthTag(Buffer.from(file.cipher.tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(file.cipher.ciphertext, 'base64')), d.final()]);
  } catch (cause) {
    throw new KeyError(
      'KEYSTORE_CORRUPT',
      `key file ${where} fails its integrity check (the passphrase is right, the file was changed or damaged): restore it from a backup`,
      { cause },
    );
  }
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Parse and validate a key file's text; every bad field is named. */
export function parseKeyFile(text: string, where: string): KeyFile {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (cause) {
    throw new KeyError(
      'KEYSTORE_CORRUPT',
      `key file ${where} is not valid JSON: restore it from a backup`,
      { cause },
    );
  }
  const bad: string[] = [];
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const obj = (x: unknown): Record<string, unknown> =>
    (typeof x === 'object' && x !== null ? x : {}) as Record<string, unknown>;
  const kdf = obj(o['kdf']);
  const cipher = obj(o['cipher']);
  const str = (x: unknown, path: string, re?: RegExp): void => {
    if (typeof x !== 'string' || (re !== undefined && !re.test(x))) bad.push(path);
  };
  const int = (x: unknown, path: string, lo: number, hi: number): void => {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < lo || x > hi)
      bad.push(`${path} (must be ${lo}..${hi})`);
  };
  if (o['format'] !== KEY_FILE_FORMAT) bad.push('format');
  if (o['version'] !== KEY_FILE_VERSION)
    bad.push(`version (this build reads version ${KEY_FILE_VERSION})`);
  str(o['label'], 'label');
  str(o['id'], 'id', /^[0-9a-f]{2,64}$/);
  if (!isKeyType(o['type'])) bad.push('type');
  str(o['publicKey'], 'publicKey', B64);
  str(o['created'], 'created');
  str(o['check'], 'check', B64);
  if (kdf['name'] !== 'scrypt') bad.push('kdf.name');
  int(kdf['log2N'], 'kdf.log2N', MIN_LOG2N, MAX_LOG2N);
  int(kdf['r'], 'kdf.r', 1, 16);
  int(kdf['p'], 'kdf.p', 1, 4);
  str(kdf['salt'], 'kdf.salt', B64);
  if (cipher['name'] !== 'aes-256-gcm') bad.push('cipher.name');
  str(cipher['nonce'], 'cipher.nonce', B64);
  str(cipher['tag'], 'cipher.tag', B64);
  str(cipher['ciphertext'], 'cipher.ciphertext', B64);
  if (bad.length > 0) {
    throw new KeyError(
      'KEYSTORE_CORRUPT',
      `key file ${where} is damaged or not a Cairn key file; bad fields: ${bad.join(', ')}`,
    );
  }
  return o as unknown as KeyFile;
}
