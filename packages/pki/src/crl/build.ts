import 'reflect-metadata';
import { X509Crl, X509CrlGenerator } from '@peculiar/x509';
import type { IssuerRef } from '../ca/authority.js';
import { wholeSeconds } from '../ca/validity.js';
import { authorityKeyIdentifier, crlNumber, keyIdentifier } from '../x509/extensions.js';
import { keyStoreCrypto, keyStoreKey, type PkiKeyStore } from '../x509/signing.js';
import { reasonCode, type RevocationReason } from './reasons.js';

export interface CrlEntryInput {
  readonly serial: string;
  readonly revokedAt: Date;
  readonly reason: RevocationReason;
}

export interface BuildCrlInput {
  readonly store: PkiKeyStore;
  readonly issuer: IssuerRef;
  readonly number: bigint;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly entries: readonly CrlEntryInput[];
}

/** A full v2 CRL (crlNumber, AKI), signed by the CA's key through the key store. */
export async function buildCrl(input: BuildCrlInput): Promise<X509Crl> {
  const { issuer } = input;
  const key = keyStoreKey(issuer.keyLabel, issuer.keyType);
  const aki = await keyIdentifier(new Uint8Array(issuer.certificate.publicKey.rawData));
  const crl = await X509CrlGenerator.create(
    {
      issuer: issuer.certificate.subjectName,
      thisUpdate: wholeSeconds(input.thisUpdate),
      nextUpdate: wholeSeconds(input.nextUpdate),
      signingAlgorithm: key.algorithm,
      // @peculiar/x509 types this as the DOM CryptoKey (absent from Node's lib): a look-alike

      signingKey: key,
      extensions: [authorityKeyIdentifier(aki), crlNumber(input.number)],
      entries: input.entries.map((e) => ({
        serialNumber: e.serial,
        revocationDate: wholeSeconds(e.revokedAt),
        reason: reasonCode(e.reason),
      })),
    },
    keyStoreCrypto(input.store),
  );
  return new X509Crl(crl.rawData);
}
