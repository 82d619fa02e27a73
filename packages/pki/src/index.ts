// @cairn/pki public API. Explicit named exports only (no `export *`).
import 'reflect-metadata';
export { PkiError } from './errors.js';
export type { PkiErrorCode } from './errors.js';
export { CAIRN_OID_ARC, OID } from './x509/oids.js';
export { normalizeSerial, randomSerial } from './x509/serial.js';
export { parseSubject, subjectIssues } from './x509/names.js';
export type { SubjectInput } from './x509/names.js';
export { describePublicKey, MAX_SPKI_BYTES } from './x509/public-key.js';
export type { PublicKeyKind } from './x509/public-key.js';
export { algorithmFor, keyStoreCrypto, keyStoreKey } from './x509/signing.js';
export type { KeyStoreCryptoKey, PkiKeyStore, WebSigningAlgorithm } from './x509/signing.js';
export { PROFILE_NAMES } from './profiles/profile.js';
export type {
  Profile,
  ProfileContext,
  ProfileName,
  ProfileRequest,
  SanInput,
} from './profiles/profile.js';
export { PROFILES } from './profiles/profiles.js';
export { isDnsName, MAX_SAN_ENTRIES } from './profiles/san.js';
export { buildCertificate } from './ca/build.js';
export type { BuildCertificateInput, SigningKeyRef } from './ca/build.js';
export { createCaCertificate, issueLeafCertificate } from './ca/authority.js';
export type { CaCertificateInput, IssuerRef, LeafInput } from './ca/authority.js';
export { MAX_CSR_BYTES, parseCsr } from './ca/csr.js';
export type { ParsedCsr } from './ca/csr.js';
export { buildCrl } from './crl/build.js';
export type { BuildCrlInput, CrlEntryInput } from './crl/build.js';
export { isRevocationReason, REVOCATION_REASONS } from './crl/reasons.js';
export type { RevocationReason } from './crl/reasons.js';
export { fromPem, toPem } from './x509/pem.js';
export type { PemLabel } from './x509/pem.js';
export { PKI_MIGRATIONS } from './store/schema.js';
export type { PkiTables } from './store/schema.js';
export type { CaInfo, CertificateRecord, CrlInfo, StoredProfile } from './store/records.js';
export { initPki, Pki } from './pki.js';
export type {
  CaSpec,
  InitPkiOptions,
  IssueInput,
  IssueWithKey,
  PkiKeys,
  PkiOptions,
} from './pki.js';
