import { verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { AlgorithmIdentifier } from './certificate.js';
import { TrustError } from './errors.js';

interface AlgorithmRule {
  readonly name: string;
  /** Digest for node:crypto verify; null for EdDSA. */
  readonly hash: string | null;
  readonly keyType: string;
  /** Whether parameters must be absent, or may be absent or NULL (RSA PKCS#1). */
  readonly params: 'absent' | 'absent-or-null';
}

/** Certificate and CRL signature algorithms we accept (no SHA-1, no MD5). */
const ALGORITHMS: Readonly<Record<string, AlgorithmRule>> = {
  '1.2.840.10045.4.3.2': {
    name: 'ecdsa-with-SHA256',
    hash: 'sha256',
    keyType: 'ec',
    params: 'absent',
  },
  '1.2.840.10045.4.3.3': {
    name: 'ecdsa-with-SHA384',
    hash: 'sha384',
    keyType: 'ec',
    params: 'absent',
  },
  '1.2.840.10045.4.3.4': {
    name: 'ecdsa-with-SHA512',
    hash: 'sha512',
    keyType: 'ec',
    params: 'absent',
  },
  '1.2.840.113549.1.1.11': {
    name: 'sha256WithRSAEncryption',
    hash: 'sha256',
    keyType: 'rsa',
    params: 'absent-or-null',
  },
  '1.2.840.113549.1.1.12': {
    name: 'sha384WithRSAEncryption',
    hash: 'sha384',
    keyType: 'rsa',
    params: 'absent-or-null',
  },
  '1.2.840.113549.1.1.13': {
    name: 'sha512WithRSAEncryption',
    hash: 'sha512',
    keyType: 'rsa',
    params: 'absent-or-null',
  },
  '1.3.101.112': { name: 'Ed25519', hash: null, keyType: 'ed25519', params: 'absent' },
  '1.3.101.113': { name: 'Ed448', hash: null, keyType: 'ed448', params: 'absent' },
};

const NULL_DER = Uint8Array.of(0x05, 0x00);

/** Names of the accepted X.509 signature algorithms, for documentation and messages. */
export function supportedSignatureAlgorithms(): string[] {
  return Object.values(ALGORITHMS).map((a) => a.name);
}

/**
 * Verify an X.509/CRL signature. Returns false on a wrong signature or a key of the
 * wrong type; throws SIGNATURE_ALGORITHM_UNSUPPORTED for algorithms we refuse.
 */
export function verifyX509Signature(
  alg: AlgorithmIdentifier,
  key: KeyObject,
  signed: Uint8Array,
  signature: Uint8Array,
  label: string,
): boolean {
  const rule = ALGORITHMS[alg.oid];
  if (rule === undefined) {
    throw new TrustError(
      'SIGNATURE_ALGORITHM_UNSUPPORTED',
      `${label} is signed with algorithm ${alg.oid}, which Cairn does not accept; use ECDSA (P-256/P-384), Ed25519/Ed448 or RSA PKCS#1 v1.5 with SHA-2`,
    );
  }
  const p = alg.params;
  const paramsOk =
    p === undefined || (rule.params === 'absent-or-null' && Buffer.from(p).equals(NULL_DER));
  if (!paramsOk) {
    throw new TrustError(
      'SIGNATURE_ALGORITHM_UNSUPPORTED',
      `${label}: ${rule.name} carries parameters it must not have`,
    );
  }
  if (key.asymmetricKeyType !== rule.keyType) return false;
  try {
    return verify(rule.hash, signed, { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}
