import {
  constants,
  createPublicKey,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { CoseError } from '../cose/errors.js';
import type { SignatureAlgorithm, Signer } from './signer.js';

export { ecdsaDerToRaw, ecdsaRawToDer } from './ecdsa.js';
export type { EcdsaFieldSize } from './ecdsa.js';

/** COSE algorithm identifiers (IANA "COSE Algorithms" registry; ESP256, ESP384 and Ed25519 from RFC 9864). */
export const COSE_ALGORITHMS = Object.freeze({
  ES256: -7,
  ESP256: -9,
  ES384: -35,
  ESP384: -51,
  EdDSA: -8,
  Ed25519: -19,
  PS256: -37,
} as const satisfies Record<SignatureAlgorithm, number>);

/** Every algorithm Cairn signs and verifies with. */
export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = Object.freeze(
  Object.keys(COSE_ALGORITHMS) as SignatureAlgorithm[],
);

/** Smallest RSA modulus accepted for PS256, in bits. */
export const MIN_RSA_BITS = 2048;

interface AlgorithmSpec {
  readonly keyType: 'ec' | 'ed25519' | 'rsa';
  /** Named curve (node:crypto name) for ECDSA. */
  readonly curve?: 'prime256v1' | 'secp384r1';
  /** Digest node:crypto applies; null for EdDSA. */
  readonly hash: 'sha256' | 'sha384' | null;
  /** Fixed signature length in bytes; undefined for RSA (modulus length). */
  readonly sigLen?: number;
}

const P256: AlgorithmSpec = { keyType: 'ec', curve: 'prime256v1', hash: 'sha256', sigLen: 64 };
const P384: AlgorithmSpec = { keyType: 'ec', curve: 'secp384r1', hash: 'sha384', sigLen: 96 };
const ED25519: AlgorithmSpec = { keyType: 'ed25519', hash: null, sigLen: 64 };

const SPECS: Readonly<Record<SignatureAlgorithm, AlgorithmSpec>> = {
  ES256: P256,
  ESP256: P256,
  ES384: P384,
  ESP384: P384,
  EdDSA: ED25519,
  Ed25519: ED25519,
  PS256: { keyType: 'rsa', hash: 'sha256' },
};

function isAlgorithm(alg: unknown): alg is SignatureAlgorithm {
  return typeof alg === 'string' && Object.hasOwn(SPECS, alg);
}

/** The COSE `alg` value of a signature algorithm. */
export function coseAlgorithmId(alg: SignatureAlgorithm): number {
  if (!isAlgorithm(alg)) {
    throw new CoseError('ALG_UNSUPPORTED', `unknown signature algorithm ${String(alg)}`);
  }
  return COSE_ALGORITHMS[alg];
}

/** The signature algorithm of a COSE `alg` value; ALG_UNSUPPORTED for any other value. */
export function algorithmFromCoseId(id: number): SignatureAlgorithm {
  for (const alg of SIGNATURE_ALGORITHMS) if (COSE_ALGORITHMS[alg] === id) return alg;
  throw new CoseError(
    'ALG_UNSUPPORTED',
    `COSE algorithm ${id} is not supported; use one of ${SIGNATURE_ALGORITHMS.map((a) => `${a} (${COSE_ALGORITHMS[a]})`).join(', ')}`,
    { details: { alg: id } },
  );
}

/**
 * A public KeyObject from a KeyObject (a private key yields its public half),
 * DER SubjectPublicKeyInfo bytes, or a PEM string (public key, certificate or private key).
 */
export function toPublicKey(key: KeyObject | Uint8Array | string): KeyObject {
  try {
    if (typeof key === 'string') return createPublicKey(key);
    if (key instanceof Uint8Array) {
      return createPublicKey({ key: Buffer.from(key), format: 'der', type: 'spki' });
    }
    if (key.type === 'secret') {
      throw new CoseError('KEY_INVALID', 'a secret (symmetric) key cannot verify signatures');
    }
    return key.type === 'public' ? key : createPublicKey(key);
  } catch (err) {
    if (err instanceof CoseError) throw err;
    throw new CoseError(
      'KEY_INVALID',
      'could not read the public key: give a KeyObject, DER SubjectPublicKeyInfo bytes or a PEM string',
      { cause: err },
    );
  }
}

function keyDescription(key: KeyObject): string {
  const t = key.asymmetricKeyType ?? key.type;
  const d = key.asymmetricKeyDetails;
  if (t === 'ec') return `EC ${d?.namedCurve ?? '?'}`;
  if (t === 'rsa' || t === 'rsa-pss') return `${t.toUpperCase()} ${d?.modulusLength ?? '?'}-bit`;
  return t;
}

/** Algorithms each KeyObject was already found to fit. */
const matched = new WeakMap<KeyObject, Set<SignatureAlgorithm>>();

/**
 * Throws ALG_KEY_MISMATCH unless `key` (public or private) is a key `alg` can use:
 * the right curve for ECDSA, Ed25519 for EdDSA, RSA (≥ 2048 bits) for PS256.
 */
export function assertKeyMatchesAlgorithm(alg: SignatureAlgorithm, key: KeyObject): void {
  // KeyObjects are immutable: a key that fitted `alg` once always does (the check reads
  // asymmetricKeyDetails, which builds a fresh object on every access).
  if (matched.get(key)?.has(alg) === true) return;
  const spec = SPECS[alg];
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails;
  const ok =
    spec.keyType === 'ec'
      ? type === 'ec' && details?.namedCurve === spec.curve
      : spec.keyType === 'rsa'
        ? (type === 'rsa' || type === 'rsa-pss') && (details?.modulusLength ?? 0) >= MIN_RSA_BITS
        : type === 'ed25519';
  if (!ok) {
    throw new CoseError(
      'ALG_KEY_MISMATCH',
      `algorithm ${alg} cannot be used with a ${keyDescription(key)} key; use the key the algorithm names or pick the algorithm for this key`,
      { details: { alg, key: keyDescription(key) } },
    );
  }
  const algs = matched.get(key);
  if (algs === undefined) matched.set(key, new Set([alg]));
  else algs.add(alg);
}

/** The algorithm Cairn uses by default for a key: P-256→ES256, P-384→ES384, Ed25519→EdDSA, RSA→PS256. */
export function defaultAlgorithmForKey(key: KeyObject): SignatureAlgorithm {
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  let alg: SignatureAlgorithm | undefined;
  if (type === 'ec' && curve === 'prime256v1') alg = 'ES256';
  else if (type === 'ec' && curve === 'secp384r1') alg = 'ES384';
  else if (type === 'ed25519') alg = 'EdDSA';
  else if (type === 'rsa' || type === 'rsa-pss') alg = 'PS256';
  if (alg === undefined) {
    throw new CoseError(
      'ALG_UNSUPPORTED',
      `no supported signature algorithm for a ${keyDescription(key)} key; use P-256, P-384, Ed25519 or RSA ≥ ${MIN_RSA_BITS}`,
    );
  }
  assertKeyMatchesAlgorithm(alg, key);
  return alg;
}

/** Expected signature length in bytes for `alg` with `key`. */
export function signatureLength(alg: SignatureAlgorithm, key: KeyObject): number {
  return SPECS[alg].sigLen ?? Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
}

function nodeKeyOptions(alg: SignatureAlgorithm, key: KeyObject) {
  const spec = SPECS[alg];
  if (spec.keyType === 'ec') return { key, dsaEncoding: 'ieee-p1363' as const };
  if (spec.keyType === 'rsa') {
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
  }
  return key;
}

/**
 * Verify `signature` over `data` (the whole message; hashed as `alg` requires).
 * ECDSA signatures are raw r‖s. Returns false for a wrong signature, including one of
 * the wrong length; throws ALG_KEY_MISMATCH when `key` does not fit `alg`.
 */
export function verifySignature(
  alg: SignatureAlgorithm,
  key: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (!isAlgorithm(alg)) {
    throw new CoseError('ALG_UNSUPPORTED', `unknown signature algorithm ${String(alg)}`);
  }
  const pub = toPublicKey(key);
  assertKeyMatchesAlgorithm(alg, pub);
  if (signature.length !== signatureLength(alg, pub)) return false;
  try {
    return nodeVerify(SPECS[alg].hash, data, nodeKeyOptions(alg, pub), signature);
  } catch {
    return false;
  }
}

/**
 * verifySignature on node's thread pool (the callback form of crypto.verify): the same
 * checks and verdict, without holding the caller's event loop for the verification.
 */
export async function verifySignatureAsync(
  alg: SignatureAlgorithm,
  key: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (!isAlgorithm(alg)) {
    throw new CoseError('ALG_UNSUPPORTED', `unknown signature algorithm ${String(alg)}`);
  }
  const pub = toPublicKey(key);
  assertKeyMatchesAlgorithm(alg, pub);
  if (signature.length !== signatureLength(alg, pub)) return false;
  return new Promise((resolve) => {
    try {
      nodeVerify(SPECS[alg].hash, data, nodeKeyOptions(alg, pub), signature, (err, ok) => {
        resolve(err === null && ok);
      });
    } catch {
      resolve(false);
    }
  });
}

/** Sign `data` with a private KeyObject; ECDSA signatures come back raw r‖s. */
export function signWithKey(
  alg: SignatureAlgorithm,
  privateKey: KeyObject,
  data: Uint8Array,
): Uint8Array {
  if (privateKey.type !== 'private') {
    throw new CoseError('KEY_INVALID', `signing needs a private key, got a ${privateKey.type} key`);
  }
  assertKeyMatchesAlgorithm(alg, privateKey);
  return new Uint8Array(nodeSign(SPECS[alg].hash, data, nodeKeyOptions(alg, privateKey)));
}

/**
 * An in-memory Signer over a private KeyObject (tests, the software keystore).
 * `alg` defaults to defaultAlgorithmForKey(privateKey).
 */
export function softwareSigner(
  privateKey: KeyObject,
  alg?: SignatureAlgorithm,
  keyId?: Uint8Array,
): Signer {
  if (privateKey.type !== 'private') {
    throw new CoseError(
      'KEY_INVALID',
      `softwareSigner needs a private key, got a ${privateKey.type} key`,
    );
  }
  const algorithm = alg ?? defaultAlgorithmForKey(privateKey);
  assertKeyMatchesAlgorithm(algorithm, privateKey);
  const publicKey = new Uint8Array(
    createPublicKey(privateKey).export({ format: 'der', type: 'spki' }),
  );
  const base = {
    algorithm,
    publicKey,
    // a failure inside the executor becomes a rejection, never a synchronous throw
    sign: (data: Uint8Array): Promise<Uint8Array> =>
      new Promise<Uint8Array>((resolve) => {
        resolve(signWithKey(algorithm, privateKey, data));
      }),
  };
  return keyId === undefined ? base : { ...base, keyId: keyId.slice() };
}
