/**
 * Map keys, command codes and parameter codes of draft-ietf-suit-manifest (the
 * IANA "SUIT" registries), plus the members from the trust-domains and
 * update-management drafts that the six conformance examples and our processor use.
 */

/** SUIT_Envelope_Tagged */
export const SUIT_ENVELOPE_TAG = 107;
/** COSE_Sign1_Tagged */
export const COSE_SIGN1_TAG = 18;

export const EnvelopeKey = Object.freeze({
  delegation: 1,
  authentication: 2,
  manifest: 3,
});

/** Keys of SUIT_Manifest. Severable members use the same key in the envelope. */
export const ManifestKey = Object.freeze({
  version: 1,
  sequenceNumber: 2,
  common: 3,
  referenceUri: 4,
  manifestComponentId: 5,
  validate: 7,
  load: 8,
  invoke: 9,
  coswid: 14,
  dependencyResolution: 15,
  payloadFetch: 16,
  candidateVerification: 18,
  install: 20,
  text: 23,
  uninstall: 24,
});

export const CommonKey = Object.freeze({
  dependencies: 1,
  components: 2,
  sharedSequence: 4,
});

/** Command sequences held directly in the manifest (never severable). */
export const UNSEVERABLE_SEQUENCES = ['validate', 'load', 'invoke'] as const;
/** Command sequences that may be severed (a SUIT_Digest in the manifest, the bytes in the envelope). */
export const SEVERABLE_SEQUENCES = [
  'dependencyResolution',
  'payloadFetch',
  'candidateVerification',
  'install',
  'uninstall',
] as const;

export type UnseverableSequenceName = (typeof UNSEVERABLE_SEQUENCES)[number];
export type SeverableSequenceName = (typeof SEVERABLE_SEQUENCES)[number];
export type SequenceName = UnseverableSequenceName | SeverableSequenceName;
/** Every severable member: the severable command sequences and text (coswid is kept raw). */
export type SeverableMemberName = SeverableSequenceName | 'text' | 'coswid';

export const SEVERABLE_KEYS: ReadonlyMap<number, SeverableMemberName> = new Map<
  number,
  SeverableMemberName
>([
  [ManifestKey.dependencyResolution, 'dependencyResolution'],
  [ManifestKey.payloadFetch, 'payloadFetch'],
  [ManifestKey.candidateVerification, 'candidateVerification'],
  [ManifestKey.install, 'install'],
  [ManifestKey.uninstall, 'uninstall'],
  [ManifestKey.text, 'text'],
  [ManifestKey.coswid, 'coswid'],
]);

/** Condition codes (each takes a SUIT_Rep_Policy). */
export const ConditionCode = Object.freeze({
  'vendor-identifier': 1,
  'class-identifier': 2,
  'image-match': 3,
  'component-slot': 5,
  'check-content': 6,
  'dependency-integrity': 7,
  'is-dependency': 8,
  abort: 14,
  'device-identifier': 24,
  'image-not-match': 25,
  'minimum-battery': 26,
  'update-authorized': 27,
  version: 28,
});

/** Directive codes. */
export const DirectiveCode = Object.freeze({
  'process-dependency': 11,
  'set-component-index': 12,
  'try-each': 15,
  write: 18,
  'set-parameters': 19,
  'override-parameters': 20,
  fetch: 21,
  copy: 22,
  invoke: 23,
  wait: 29,
  swap: 31,
  'run-sequence': 32,
  unlink: 33,
});

export type ConditionName = keyof typeof ConditionCode;
export type DirectiveName = keyof typeof DirectiveCode;

export const ParameterKey = Object.freeze({
  vendorId: 1,
  classId: 2,
  imageDigest: 3,
  componentSlot: 5,
  strictOrder: 12,
  softFailure: 13,
  imageSize: 14,
  content: 18,
  encryptionInfo: 19,
  uri: 21,
  sourceComponent: 22,
  invokeArgs: 23,
  deviceId: 24,
  fetchArgs: 25,
  minimumBattery: 26,
  updatePriority: 27,
  version: 28,
  waitInfo: 29,
});

/** COSE hash algorithm identifiers allowed in SUIT_Digest, with node:crypto names. */
export const DIGEST_ALGORITHMS: ReadonlyMap<number, { name: string; hash: string; size: number }> =
  new Map([
    [-16, { name: 'sha256', hash: 'sha256', size: 32 }],
    [-43, { name: 'sha384', hash: 'sha384', size: 48 }],
    [-44, { name: 'sha512', hash: 'sha512', size: 64 }],
    [-18, { name: 'shake128', hash: 'shake128', size: 32 }],
    [-45, { name: 'shake256', hash: 'shake256', size: 64 }],
  ]);

export type DigestAlgorithmName = 'sha256' | 'sha384' | 'sha512' | 'shake128' | 'shake256';

/** SUIT_Text keys. */
export const TextKey = Object.freeze({
  manifestDescription: 1,
  updateDescription: 2,
  manifestJsonSource: 3,
  manifestYamlSource: 4,
});
export const TextComponentKey = Object.freeze({
  vendorName: 1,
  modelName: 2,
  vendorDomain: 3,
  modelInfo: 4,
  componentDescription: 5,
  componentVersion: 6,
});
