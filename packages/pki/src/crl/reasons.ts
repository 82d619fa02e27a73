import 'reflect-metadata';
import { X509CrlReason } from '@peculiar/x509';

/**
 * RFC 5280 §5.3.1 CRLReason names. `removeFromCRL` (delta CRLs only) and
 * `certificateHold` (revocation here is permanent) are not offered.
 */
export type RevocationReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'privilegeWithdrawn'
  | 'aACompromise';

const CODES: Readonly<Record<RevocationReason, X509CrlReason>> = Object.freeze({
  unspecified: X509CrlReason.unspecified,
  keyCompromise: X509CrlReason.keyCompromise,
  cACompromise: X509CrlReason.cACompromise,
  affiliationChanged: X509CrlReason.affiliationChanged,
  superseded: X509CrlReason.superseded,
  cessationOfOperation: X509CrlReason.cessationOfOperation,
  privilegeWithdrawn: X509CrlReason.privilegeWithdrawn,
  aACompromise: X509CrlReason.aACompromise,
});

export const REVOCATION_REASONS: readonly RevocationReason[] = Object.freeze(
  Object.keys(CODES) as RevocationReason[],
);

export function isRevocationReason(s: string): s is RevocationReason {
  return Object.hasOwn(CODES, s);
}

/** The CRLReason enumerated value written into the CRL entry. */
export function reasonCode(reason: RevocationReason): X509CrlReason {
  return CODES[reason];
}
