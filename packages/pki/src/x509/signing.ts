import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import type { KeyType, SignatureAlgorithm } from '@cairn/core';
import { PkiError } from '../errors.js';

/** What the PKI needs from a key store (a subset of @cairn/keys' KeyStore). */
export interface PkiKeyStore {
  get(label: string): Promise<{ readonly type: KeyType; readonly publicKey: Uint8Array }>;
  sign(label: string, algorithm: SignatureAlgorithm, data: Uint8Array): Promise<Uint8Array>;
}

/** The WebCrypto-style algorithm @peculiar/x509 maps to an AlgorithmIdentifier. */
export interface WebSigningAlgorithm {
  readonly name: 'ECDSA' | 'RSA-PSS' | 'Ed25519';
  readonly hash?: { readonly name: 'SHA-256' | 'SHA-384' };
  readonly namedCurve?: 'P-256' | 'P-384';
  readonly saltLength?: number;
}

interface AlgorithmChoice {
  readonly cose: SignatureAlgorithm;
  readonly web: WebSigningAlgorithm;
}

const BY_KEY_TYPE: Readonly<Record<KeyType, AlgorithmChoice>> = Object.freeze({
  'ecdsa-p256': {
    cose: 'ES256',
    web: { name: 'ECDSA', hash: { name: 'SHA-256' }, namedCurve: 'P-256' },
  },
  'ecdsa-p384': {
    cose: 'ES384',
    web: { name: 'ECDSA', hash: { name: 'SHA-384' }, namedCurve: 'P-384' },
  },
  ed25519: { cose: 'EdDSA', web: { name: 'Ed25519' } },
  'rsa-pss-3072': {
    cose: 'PS256',
    web: { name: 'RSA-PSS', hash: { name: 'SHA-256' }, saltLength: 32 },
  },
});

/** The signature algorithm a CA key of `type` signs certificates and CRLs with. */
export function algorithmFor(type: KeyType): AlgorithmChoice {
  const found = (BY_KEY_TYPE as Partial<Record<string, AlgorithmChoice>>)[type];
  if (!found) {
    throw new PkiError(
      'KEY_TYPE_UNSUPPORTED',
      `key type '${type}' cannot sign certificates: use ecdsa-p256, ecdsa-p384, ed25519 or rsa-pss-3072`,
    );
  }
  return found;
}

/** A CryptoKey look-alike that names a key-store label instead of holding key material. */
export interface KeyStoreCryptoKey {
  readonly type: 'private';
  readonly extractable: false;
  readonly usages: readonly ['sign'];
  readonly algorithm: WebSigningAlgorithm;
  readonly label: string;
  readonly cose: SignatureAlgorithm;
}

/**
 * A minimal WebCrypto `Crypto` for @peculiar/x509's generators: `subtle.sign` hands the
 * to-be-signed bytes to the key store (so an HSM-held CA key works); ECDSA returns raw
 * r‖s, which @peculiar/x509 DER-encodes into the X.509 signature. Everything else goes
 * to Node's WebCrypto.
 */
export function keyStoreCrypto(store: PkiKeyStore): webcrypto.Crypto {
  const base = webcrypto;
  const subtle = {
    sign: async (
      _alg: unknown,
      key: KeyStoreCryptoKey,
      data: webcrypto.BufferSource,
    ): Promise<ArrayBuffer> => {
      const bytes = toBytes(data);
      const sig = await store.sign(key.label, key.cose, bytes);
      return sig.slice().buffer;
    },
    digest: (alg: webcrypto.AlgorithmIdentifier, data: webcrypto.BufferSource) =>
      base.subtle.digest(alg, data),
  };
  return {
    subtle,
    getRandomValues: base.getRandomValues.bind(base),
  } as unknown as webcrypto.Crypto;
}

/** The CryptoKey look-alike for the key `label` of `type`. */
export function keyStoreKey(label: string, type: KeyType): KeyStoreCryptoKey {
  const { cose, web } = algorithmFor(type);
  return Object.freeze({
    type: 'private',
    extractable: false,
    usages: ['sign'] as const,
    algorithm: web,
    label,
    cose,
  });
}

function toBytes(data: webcrypto.BufferSource): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}
