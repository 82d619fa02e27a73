import type { KeyType, SignatureAlgorithm, Signer } from '@cairn/core';

export type KeyBackend = 'pkcs11' | 'software';

/** What a key store tells about one key pair; never any private material. */
export interface KeyInfo {
  /** Unique in the store. */
  readonly label: string;
  /** Hex (CKA_ID for PKCS#11). */
  readonly id: string;
  readonly type: KeyType;
  /** DER SubjectPublicKeyInfo. */
  readonly publicKey: Uint8Array;
  readonly backend: KeyBackend;
}

/** Key custody: keys are generated and used inside the store and never leave it. */
export interface KeyStore {
  readonly backend: KeyBackend;
  /** e.g. "PKCS#11 token 'cairn' (SoftHSM …) via /usr/lib/softhsm/libsofthsm2.so" or "SOFTWARE KEYSTORE (not an HSM) at /path" */
  readonly description: string;
  /** Generate a key pair inside the store. KEY_EXISTS if the label is taken. */
  generate(label: string, type: KeyType): Promise<KeyInfo>;
  list(): Promise<KeyInfo[]>;
  /** KEY_NOT_FOUND when no key has this label. */
  get(label: string): Promise<KeyInfo>;
  /** Sign a whole message; ECDSA → raw r‖s; RSA → PSS(SHA-256, salt 32); Ed25519 → pure EdDSA. */
  sign(label: string, algorithm: SignatureAlgorithm, data: Uint8Array): Promise<Uint8Array>;
  /** Sign a precomputed digest (ECDSA, RSA-PSS only; Ed25519 → ALGORITHM_NOT_SUPPORTED). */
  signDigest(label: string, algorithm: SignatureAlgorithm, digest: Uint8Array): Promise<Uint8Array>;
  /** A core Signer bound to one key (algorithm defaults from the key type: p256→ES256, p384→ES384, ed25519→EdDSA, rsa→PS256). */
  signer(label: string, algorithm?: SignatureAlgorithm): Promise<Signer>;
  close(): Promise<void>;
}

/** A PKCS#11 token. The PIN comes from `pin`, else the env var `pinEnv`, else the file `pinFile`. */
export interface Pkcs11KeyStoreConfig {
  readonly backend: 'pkcs11';
  /** Path of the PKCS#11 module (.so), e.g. /usr/lib/softhsm/libsofthsm2.so. */
  readonly module: string;
  readonly tokenLabel: string;
  readonly pin?: string;
  readonly pinEnv?: string;
  readonly pinFile?: string;
  /** Size of the session pool (concurrent operations), default 4, at most 64. */
  readonly sessions?: number;
  /**
   * Worker threads that sign (C_SignInit + C_Sign) off the main thread, each on a session
   * of its own: default min(2, os.availableParallelism()), at most 16; 0 signs on the
   * main thread (C_SignInit there, C_Sign on the libuv pool). Started on the first
   * signature.
   */
  readonly signThreads?: number;
}

/** The encrypted software keystore (embedded default; NOT an HSM). */
export interface SoftwareKeyStoreConfig {
  readonly backend: 'software';
  readonly dir: string;
  readonly passphrase?: string;
  readonly passphraseEnv?: string;
  readonly passphraseFile?: string;
  /** Receives the "not an HSM" warning on open; default console.warn, once per process and dir. */
  readonly warn?: (message: string) => void;
  /** scrypt cost exponent for new keys (N = 2^scryptLog2N), default 15, minimum 15. */
  readonly scryptLog2N?: number;
}

export type KeyStoreConfig = Pkcs11KeyStoreConfig | SoftwareKeyStoreConfig;
