/**
 * Signature algorithms Cairn signs and verifies with, named as COSE names them.
 *
 * | name   | COSE alg | key        | hash    | signature encoding             |
 * |--------|----------|------------|---------|--------------------------------|
 * | ES256  | -7       | EC P-256   | SHA-256 | raw r‖s, 64 bytes (IEEE P1363) |
 * | ESP256 | -9       | EC P-256   | SHA-256 | raw r‖s, 64 bytes              |
 * | ES384  | -35      | EC P-384   | SHA-384 | raw r‖s, 96 bytes              |
 * | ESP384 | -51      | EC P-384   | SHA-384 | raw r‖s, 96 bytes              |
 * | EdDSA  | -8       | Ed25519    | (none)  | 64 bytes                       |
 * | Ed25519| -19      | Ed25519    | (none)  | 64 bytes                       |
 * | PS256  | -37      | RSA ≥ 2048 | SHA-256 | RSASSA-PSS, salt 32            |
 */
export type SignatureAlgorithm =
  'ES256' | 'ESP256' | 'ES384' | 'ESP384' | 'EdDSA' | 'Ed25519' | 'PS256';

/** The kinds of key pair a key store can hold. */
export type KeyType = 'ecdsa-p256' | 'ecdsa-p384' | 'ed25519' | 'rsa-pss-3072';

/**
 * Anything that can sign: an HSM key, a software key, a remote signing service.
 * Keys never leave the signer; callers only see the public key and signatures.
 * (sigstore-js style: sign(data) → signature.)
 */
export interface Signer {
  /** The algorithm `sign` produces signatures for. */
  readonly algorithm: SignatureAlgorithm;
  /** The public key, DER SubjectPublicKeyInfo. */
  readonly publicKey: Uint8Array;
  /** Optional key identifier (COSE `kid`), e.g. the SPKI SHA-256. */
  readonly keyId?: Uint8Array;
  /**
   * Sign `data` (the whole message: the signer hashes it as the algorithm requires).
   * ECDSA signatures are returned raw r‖s (fixed length), as COSE carries them.
   */
  sign(data: Uint8Array): Promise<Uint8Array>;
}
