import 'reflect-metadata';
import type { KeyType } from '@cairn/core';
import {
  Name,
  X509Certificate,
  X509CertificateGenerator,
  type Extension,
  type JsonName,
} from '@peculiar/x509';
import { keyStoreCrypto, keyStoreKey, type PkiKeyStore } from '../x509/signing.js';

/** A CA key as the builder needs it: which key-store label signs, and its type. */
export interface SigningKeyRef {
  readonly keyLabel: string;
  readonly keyType: KeyType;
}

export interface BuildCertificateInput {
  readonly store: PkiKeyStore;
  /** The signing CA's key; for a self-signed root, the root's own key. */
  readonly signingKey: SigningKeyRef;
  /** The issuer name, taken byte-for-byte from the issuer certificate (or the subject when self-signed). */
  readonly issuer: Name | JsonName;
  readonly subject: Name | JsonName;
  /** DER SubjectPublicKeyInfo of the certified key. */
  readonly publicKey: Uint8Array;
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: readonly Extension[];
}

/** Build a v3 certificate and sign its TBS through the key store. */
export async function buildCertificate(input: BuildCertificateInput): Promise<X509Certificate> {
  const { store, signingKey } = input;
  const key = keyStoreKey(signingKey.keyLabel, signingKey.keyType);
  const cert = await X509CertificateGenerator.create(
    {
      serialNumber: input.serial,
      subject: input.subject instanceof Name ? input.subject : new Name(input.subject),
      issuer: input.issuer instanceof Name ? input.issuer : new Name(input.issuer),
      notBefore: input.notBefore,
      notAfter: input.notAfter,
      publicKey: input.publicKey,
      // @peculiar/x509 types this as the DOM CryptoKey (absent from Node's lib): a look-alike

      signingKey: key,
      signingAlgorithm: key.algorithm,
      extensions: [...input.extensions],
    },
    keyStoreCrypto(store),
  );
  return new X509Certificate(cert.rawData);
}
