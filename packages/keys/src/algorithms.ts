import type { KeyType, SignatureAlgorithm } from '@cairn/core';
import { KeyError } from './errors.js';

export const KEY_TYPES: readonly KeyType[] = Object.freeze([
  'ecdsa-p256',
  'ecdsa-p384',
  'ed25519',
  'rsa-pss-3072',
]);

/** Largest message `sign` accepts (the whole message may travel to the HSM). */
export const MAX_SIGN_INPUT = 64 * 1024 * 1024;

/** How one algorithm signs: the key type it needs and the hash (none for EdDSA). */
export interface AlgorithmSpec {
  readonly keyType: KeyType;
  readonly hash: 'sha256' | 'sha384' | undefined;
}

const SPECS: Readonly<Record<SignatureAlgorithm, AlgorithmSpec>> = Object.freeze({
  ES256: { keyType: 'ecdsa-p256', hash: 'sha256' },
  ESP256: { keyType: 'ecdsa-p256', hash: 'sha256' },
  ES384: { keyType: 'ecdsa-p384', hash: 'sha384' },
  ESP384: { keyType: 'ecdsa-p384', hash: 'sha384' },
  EdDSA: { keyType: 'ed25519', hash: undefined },
  Ed25519: { keyType: 'ed25519', hash: undefined },
  PS256: { keyType: 'rsa-pss-3072', hash: 'sha256' },
});

const DEFAULTS: Readonly<Record<KeyType, SignatureAlgorithm>> = Object.freeze({
  'ecdsa-p256': 'ES256',
  'ecdsa-p384': 'ES384',
  ed25519: 'EdDSA',
  'rsa-pss-3072': 'PS256',
});

export function isKeyType(value: unknown): value is KeyType {
  return typeof value === 'string' && (KEY_TYPES as readonly string[]).includes(value);
}

/** The algorithm a key signs with when none is asked for. */
export function defaultAlgorithm(type: KeyType): SignatureAlgorithm {
  return DEFAULTS[type];
}

export function assertKeyType(type: unknown): asserts type is KeyType {
  if (!isKeyType(type)) {
    throw new KeyError(
      'ALGORITHM_NOT_SUPPORTED',
      `unknown key type ${JSON.stringify(type)}: use one of ${KEY_TYPES.join(', ')}`,
    );
  }
}

/** Check `algorithm` can be used with a key of `type`; returns how it signs. */
export function algorithmFor(
  label: string,
  type: KeyType,
  algorithm: SignatureAlgorithm,
): AlgorithmSpec {
  const spec = Object.hasOwn(SPECS, algorithm) ? SPECS[algorithm] : undefined;
  if (spec === undefined) {
    throw new KeyError(
      'ALGORITHM_NOT_SUPPORTED',
      `unknown signature algorithm ${JSON.stringify(algorithm)}: use one of ${Object.keys(SPECS).join(', ')}`,
    );
  }
  if (spec.keyType !== type) {
    throw new KeyError(
      'ALGORITHM_KEY_MISMATCH',
      `key '${label}' is ${type}; ${algorithm} needs a ${spec.keyType} key (use ${DEFAULTS[type]} for this key)`,
    );
  }
  return spec;
}

/** Check a precomputed digest fits the algorithm; EdDSA has no prehashed form here. */
export function checkDigest(
  label: string,
  algorithm: SignatureAlgorithm,
  spec: AlgorithmSpec,
  digest: Uint8Array,
): 'sha256' | 'sha384' {
  if (spec.hash === undefined) {
    throw new KeyError(
      'ALGORITHM_NOT_SUPPORTED',
      `${algorithm} (key '${label}') signs whole messages only: use sign() instead of signDigest()`,
    );
  }
  const want = spec.hash === 'sha256' ? 32 : 48;
  if (!(digest instanceof Uint8Array) || digest.length !== want) {
    throw new KeyError(
      'DIGEST_INVALID',
      `${algorithm} needs a ${want}-byte ${spec.hash.toUpperCase()} digest, got ${digest instanceof Uint8Array ? `${digest.length} bytes` : typeof digest}`,
    );
  }
  return spec.hash;
}

export function checkMessage(data: Uint8Array): void {
  if (!(data instanceof Uint8Array)) {
    throw new KeyError('INPUT_TOO_LARGE', `sign() needs bytes (Uint8Array), got ${typeof data}`);
  }
  if (data.length > MAX_SIGN_INPUT) {
    throw new KeyError(
      'INPUT_TOO_LARGE',
      `message of ${data.length} bytes is over the ${MAX_SIGN_INPUT}-byte limit: hash it and use signDigest()`,
    );
  }
}

const LABEL_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Labels name files in the software keystore, so they are kept to a safe alphabet. */
export function checkLabel(label: unknown): asserts label is string {
  if (typeof label !== 'string' || !LABEL_RE.test(label)) {
    throw new KeyError(
      'LABEL_INVALID',
      `invalid key label ${JSON.stringify(label)}: use 1-64 characters from A-Z a-z 0-9 . _ - starting with a letter or digit`,
    );
  }
}
