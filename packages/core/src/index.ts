// @cairn/core public API. Explicit named exports only (no `export *`).
export { BaseError, isCairnError, ValidationError } from './errors/base-error.js';
export type { FieldIssue, ValidationErrorCode } from './errors/base-error.js';
export type { KeyType, SignatureAlgorithm, Signer } from './crypto/signer.js';
export {
  CborError,
  CborMap,
  CborSimple,
  CborTag,
  decodeCbor,
  decodeCborPrefix,
  encodeCbor,
} from './cbor/index.js';
export type { CborErrorCode, CborValue, DecodeOptions, EncodeOptions } from './cbor/index.js';
// DER reader (strict, bounded)
export { DerError } from './der/errors.js';
export type { DerErrorCode } from './der/errors.js';
export { children as derChildren, decodeDer, DerTag, readElement } from './der/reader.js';
export type { DerElement, DerLimits } from './der/reader.js';
export {
  decodeBitString,
  decodeBoolean,
  decodeInteger,
  decodeOid,
  decodeTime,
  DerSequence,
  expectTag,
  integerBytes,
  sequence as derSequence,
} from './der/values.js';
// Trust anchors, X.509 chains, revocation, key-pinned mode
export { TrustError } from './trust/errors.js';
export type { TrustErrorCode } from './trust/errors.js';
export {
  anchorFromCertificate,
  anchorFromJwk,
  anchorFromKey,
  anchorFromPem,
  anchorFromPin,
  anchorFromSpki,
  isAnchored,
  parsePin,
  spkiSha256,
  toTrustStore,
  TrustStore,
} from './trust/anchors.js';
export type { AnchorOptions, KeyAnchor, PinAnchor, TrustAnchor } from './trust/anchors.js';
export {
  hasKeyUsage,
  KeyUsageBit,
  MAX_CERT_BYTES,
  OID_EKU_CODE_SIGNING,
  parseCertificate,
} from './trust/certificate.js';
export type {
  AlgorithmIdentifier,
  CertExtension,
  KeyUsageName,
  ParsedCertificate,
} from './trust/certificate.js';
export { MAX_CRL_BYTES, parseCrl } from './trust/crl.js';
export type { ParsedCrl } from './trust/crl.js';
export { assertRevocationList, serialValue } from './trust/revocation.js';
export type { RevocationList, RevokedSerial } from './trust/revocation.js';
export { supportedSignatureAlgorithms } from './trust/signature.js';
export { CHAIN_DEFAULTS, verifyCertificateChain } from './trust/chain.js';
export type { ChainVerificationOptions, VerifiedChain } from './trust/chain.js';
export { resolveSigningKey } from './trust/resolve-key.js';
export type { ResolvedSigningKey, ResolveSigningKeyOptions } from './trust/resolve-key.js';
// Anti-rollback policy
export { checkAntiRollback, MAX_SEQUENCE_NUMBER } from './policy/anti-rollback.js';
export type { RollbackDecision } from './policy/anti-rollback.js';
export { PolicyError } from './policy/errors.js';
export type { PolicyErrorCode } from './policy/errors.js';
export { MerkleError } from './transparency/merkle-error.js';
export type { MerkleErrorCode } from './transparency/merkle-error.js';
export { MERKLE_HASH_SIZE, emptyRoot, leafHash, nodeHash } from './transparency/merkle-hash.js';
export {
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from './transparency/merkle-verify.js';
export type {
  InclusionProofInput,
  VerifyConsistencyInput,
  VerifyInclusionInput,
} from './transparency/merkle-verify.js';
export {
  consistencyProof,
  consistencyProofRanges,
  consistencyProofWith,
  inclusionProof,
  inclusionProofRanges,
  inclusionProofWith,
  merkleRoot,
} from './transparency/merkle-build.js';
export type { SubtreeHashGetter, SubtreeRange } from './transparency/merkle-build.js';
export { NoteError } from './transparency/note-error.js';
export type { NoteErrorCode } from './transparency/note-error.js';
export {
  NOTE_ED25519_TYPE,
  assertNoteKeyName,
  ed25519NoteKeyId,
  formatNoteKeyId,
  formatNoteSignerKey,
  formatNoteVerifierKey,
  isValidNoteKeyName,
  noteKeyId,
  parseNoteSignerKey,
  parseNoteVerifierKey,
} from './transparency/note-keys.js';
export type { NoteKeyMaterial } from './transparency/note-keys.js';
export {
  ed25519NoteVerifier,
  generateNoteKey,
  noteSignerFromKey,
  noteSignerFromSigner,
  noteVerifierFromKey,
} from './transparency/note-ed25519.js';
export type { NoteSigner, NoteVerifier } from './transparency/note-ed25519.js';
export {
  NOTE_DEFAULT_MAX_BYTES,
  NOTE_MAX_SIGNATURES,
  formatNote,
  parseNote,
  signNote,
  verifyNote,
} from './transparency/signed-note.js';
export type {
  NoteLimits,
  NoteSignature,
  ParsedNote,
  VerifiedNote,
} from './transparency/signed-note.js';
export {
  CheckpointError,
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from './transparency/checkpoint.js';
export type {
  Checkpoint,
  CheckpointErrorCode,
  OpenCheckpointOptions,
  OpenedCheckpoint,
} from './transparency/checkpoint.js';
export {
  TLOG_PROOF_DEFAULT_MAX_BYTES,
  TLOG_PROOF_HEADER,
  TlogProofError,
  formatTlogProof,
  parseTlogProof,
  verifyTlogProof,
} from './transparency/tlog-proof.js';
export type {
  TlogProof,
  TlogProofErrorCode,
  TlogProofLeaf,
  TlogProofLimits,
  VerifiedTlogProof,
} from './transparency/tlog-proof.js';
// COSE_Sign1 and signature algorithms
export {
  COSE_ALGORITHMS,
  MIN_RSA_BITS,
  SIGNATURE_ALGORITHMS,
  algorithmFromCoseId,
  assertKeyMatchesAlgorithm,
  coseAlgorithmId,
  defaultAlgorithmForKey,
  ecdsaDerToRaw,
  ecdsaRawToDer,
  signWithKey,
  signatureLength,
  softwareSigner,
  toPublicKey,
  verifySignature,
  verifySignatureAsync,
} from './crypto/algorithms.js';
export type { EcdsaFieldSize } from './crypto/algorithms.js';
export { CoseError } from './cose/errors.js';
export type { CoseErrorCode } from './cose/errors.js';
export { COSE_HEADER, MAX_X5CHAIN_CERTS, readCoseHeaders } from './cose/headers.js';
export type { CoseHeaderSummary } from './cose/headers.js';
export {
  COSE_MAX_BYTES,
  COSE_SIGN1_TAG,
  coseHeaders,
  decodeCoseSign1,
  encodeCoseSign1,
  sigStructure,
  signCoseSign1,
  verifyCoseSign1,
} from './cose/sign1.js';
export type {
  CoseSign1,
  DecodeCoseOptions,
  SignCoseSign1Options,
  VerifyCoseSign1Options,
} from './cose/sign1.js';
// Streaming payload verification and byte-capped reading
export { ByteReader } from './stream/byte-reader.js';
export type { ByteReaderOptions } from './stream/byte-reader.js';
export { StreamError } from './stream/errors.js';
export type { StreamErrorCode } from './stream/errors.js';
export {
  consumeAndVerify,
  digestLength,
  digestStream,
  exactSizeStream,
  verifyStream,
} from './stream/verify.js';
export type {
  DigestAlgorithm,
  DigestStreamOptions,
  PayloadDigest,
  StreamDigest,
  VerifyStreamOptions,
} from './stream/verify.js';
// The .cairn bundle container (docs/formats/bundle.md)
export { BUNDLE_CHECKS, BundleError } from './bundle/errors.js';
export type { BundleCheck, BundleErrorCode } from './bundle/errors.js';
export {
  BUNDLE_CHECKSUM_SIZE,
  BUNDLE_DEFAULT_MAX_HEADER_BYTES,
  BUNDLE_FORMAT_VERSION,
  BUNDLE_MAGIC,
  BUNDLE_MAX_PAYLOADS,
  BUNDLE_PREAMBLE_SIZE,
  BundleKey,
  encodeBundleHead,
} from './bundle/format.js';
export type { BundleHeader, BundlePayloadEntry, LocatedPayloadEntry } from './bundle/format.js';
export { openBundle } from './bundle/reader.js';
export type { BundlePayload, OpenBundleOptions, OpenedBundle } from './bundle/reader.js';
export { writeBundle } from './bundle/writer.js';
export type { BundlePayloadInput, WriteBundleInput } from './bundle/writer.js';
export { bindPayloads } from './bundle/bind.js';
export type { BoundPayload, BundleComponent, BundleManifest } from './bundle/bind.js';
export { verifyBundle } from './bundle/verify.js';
export type {
  VerifiedBundle,
  VerifiedPayloadStream,
  VerifyBundleOptions,
} from './bundle/verify.js';
// SUIT (draft-ietf-suit-manifest): envelope codec, signing/verification, command processor.
export {
  COSE_SIGN1_TAG as SUIT_COSE_SIGN1_TAG,
  CommonKey,
  ConditionCode,
  DirectiveCode,
  EnvelopeKey,
  ManifestKey,
  ParameterKey,
  SEVERABLE_SEQUENCES,
  SUIT_ENVELOPE_TAG,
  UNSEVERABLE_SEQUENCES,
} from './suit/constants.js';
export type {
  ConditionName,
  DigestAlgorithmName,
  DirectiveName,
  SequenceName,
  SeverableMemberName,
  SeverableSequenceName,
  UnseverableSequenceName,
} from './suit/constants.js';
export { SuitError } from './suit/errors.js';
export type { SuitErrorCode } from './suit/errors.js';
export { SUIT_DEFAULT_LIMITS } from './suit/limits.js';
export type { SuitLimits } from './suit/limits.js';
export { digestMatches, digestOf, digestOfWrapped, suitDigest } from './suit/digest.js';
export { decodeEnvelope, encodeEnvelope } from './suit/envelope.js';
export type { DecodeEnvelopeOptions } from './suit/envelope.js';
export { encodeSequence } from './suit/commands.js';
export { buildEnvelope, buildManifest, imageDigest, suitCommand } from './suit/build.js';
export type { BuiltManifest, EnvelopeInput, ManifestInput } from './suit/build.js';
export { encodeText } from './suit/text.js';
export { signEnvelope, verifyEnvelope } from './suit/sign.js';
export type {
  BlockFailure,
  ResolvedKey,
  SignEnvelopeOptions,
  SuitKey,
  VerifiedEnvelope,
  VerifyEnvelopeOptions,
} from './suit/sign.js';
export { formatUuid, parseUuid } from './suit/uuid.js';
export type {
  ActionCommand,
  ActionDirectiveName,
  ComponentId,
  ComponentIndex,
  ConditionCommand,
  CustomCommand,
  ParametersCommand,
  RunSequenceCommand,
  SetComponentIndexCommand,
  Severable,
  SuitAuthentication,
  SuitCommand,
  SuitCommandSequence,
  SuitCommon,
  SuitDigest,
  SuitEnvelope,
  SuitManifest,
  SuitParameters,
  SuitText,
  SuitTextComponent,
  SuitTextLanguage,
  TryEachCommand,
  VendorId,
  WrappedDigest,
} from './suit/types.js';
export { SuitProcessError } from './suit/processor/errors.js';
export type { SuitProcessErrorCode, SuitProcessErrorDetails } from './suit/processor/errors.js';
export type { ComponentRef, SuitDeviceIdentity, SuitPlatform } from './suit/processor/platform.js';
export type { ProcessOptions, TraceEntry } from './suit/processor/state.js';
export {
  FULL_PROCEDURE,
  INVOKE_PROCEDURE,
  UPDATE_PROCEDURE,
  processEnvelope,
  runSequence,
} from './suit/processor/run.js';
export type { ProcessEnvelopeOptions, ProcessResult, SequenceRun } from './suit/processor/run.js';
// The Cairn firmware profile of SUIT (what the signer builds and installers read)
export {
  buildFirmwareManifest,
  FirmwareError,
  PAYLOAD_URI_PREFIX,
  readFirmwareManifest,
} from './firmware/profile.js';
export type {
  FirmwareComponent,
  FirmwareComponentInput,
  FirmwareErrorCode,
  FirmwareManifest,
  FirmwareManifestInput,
} from './firmware/profile.js';
