import { CborMap, encodeCbor, type CborValue } from '../cbor/index.js';
import {
  CommonKey,
  ManifestKey,
  type DigestAlgorithmName,
  type SeverableMemberName,
} from './constants.js';
import { encodeSequence } from './commands.js';
import { digestOf, digestOfWrapped, digestToCbor, suitDigest } from './digest.js';
import { SuitError } from './errors.js';
import { SUIT_DEFAULT_LIMITS, resolveLimits, type SuitLimits } from './limits.js';
import { decodeManifest } from './manifest.js';
import { encodeText } from './text.js';
import type {
  ActionDirectiveName,
  ComponentId,
  ComponentIndex,
  SuitCommand,
  SuitCommandSequence,
  SuitEnvelope,
  SuitManifest,
  SuitParameters,
  SuitTextLanguage,
  WrappedDigest,
} from './types.js';
import type { ConditionName } from './constants.js';
import { ConditionCode, DirectiveCode } from './constants.js';

/** Command constructors for building sequences. Policies default to 15 (report everything) for conditions, 2 for directives. */
export const suitCommand = Object.freeze({
  condition(name: ConditionName, policy = 15): SuitCommand {
    return { kind: 'condition', name, code: ConditionCode[name], policy };
  },
  action(name: ActionDirectiveName, policy = 2): SuitCommand {
    return { kind: 'directive', name, code: DirectiveCode[name], policy };
  },
  setComponentIndex(index: ComponentIndex): SuitCommand {
    return { kind: 'directive', name: 'set-component-index', code: 12, index };
  },
  overrideParameters(parameters: SuitParameters): SuitCommand {
    return { kind: 'directive', name: 'override-parameters', code: 20, parameters };
  },
  setParameters(parameters: SuitParameters): SuitCommand {
    return { kind: 'directive', name: 'set-parameters', code: 19, parameters };
  },
  tryEach(alternatives: readonly (readonly SuitCommand[] | null)[]): SuitCommand {
    return {
      kind: 'directive',
      name: 'try-each',
      code: 15,
      sequences: alternatives.map((a) => (a === null ? null : encodeSequence(a))),
    };
  },
  runSequence(commands: readonly SuitCommand[]): SuitCommand {
    return {
      kind: 'directive',
      name: 'run-sequence',
      code: 32,
      sequence: encodeSequence(commands),
    };
  },
});

/** The image-digest parameter for a payload: SUIT_Digest of the raw bytes, bstr-wrapped. */
export function imageDigest(
  payload: Uint8Array,
  algorithm: DigestAlgorithmName = 'sha256',
): WrappedDigest {
  const d = digestOf(payload, algorithm);
  return { ...d, bytes: encodeCbor(digestToCbor(d)) };
}

export interface ManifestInput {
  readonly sequenceNumber: number | bigint;
  readonly components: readonly ComponentId[];
  readonly sharedSequence?: readonly SuitCommand[];
  readonly referenceUri?: string;
  readonly validate?: readonly SuitCommand[];
  readonly load?: readonly SuitCommand[];
  readonly invoke?: readonly SuitCommand[];
  readonly dependencyResolution?: readonly SuitCommand[];
  readonly payloadFetch?: readonly SuitCommand[];
  readonly candidateVerification?: readonly SuitCommand[];
  readonly install?: readonly SuitCommand[];
  readonly uninstall?: readonly SuitCommand[];
  readonly text?: ReadonlyMap<string, SuitTextLanguage>;
  /** Members to sever into the envelope (a digest stays in the manifest). */
  readonly sever?: readonly SeverableMemberName[];
  /** Digest algorithm for severed members. Default sha256. */
  readonly digestAlgorithm?: DigestAlgorithmName;
}

export interface BuiltManifest {
  readonly manifest: SuitManifest;
  /** Severed members for the envelope, by key. */
  readonly severed: ReadonlyMap<number, Uint8Array>;
}

const seq = (c: readonly SuitCommand[]): SuitCommandSequence => encodeSequence(c);

/** Build a manifest deterministically (canonical CBOR), severing the members asked for. */
export function buildManifest(input: ManifestInput, limits?: Partial<SuitLimits>): BuiltManifest {
  const alg = input.digestAlgorithm ?? 'sha256';
  const sever = new Set(input.sever ?? []);
  const common = new CborMap([[CommonKey.components, input.components.map((c) => [...c])]]);
  if (input.sharedSequence) common.set(CommonKey.sharedSequence, seq(input.sharedSequence).bytes);
  const m = new CborMap([
    [ManifestKey.version, 1],
    [ManifestKey.sequenceNumber, input.sequenceNumber],
    [ManifestKey.common, encodeCbor(common, { canonical: true })],
  ]);
  if (input.referenceUri !== undefined) m.set(ManifestKey.referenceUri, input.referenceUri);
  for (const name of ['validate', 'load', 'invoke'] as const) {
    const c = input[name];
    if (c) m.set(ManifestKey[name], seq(c).bytes);
  }
  const severed = new Map<number, Uint8Array>();
  const put = (name: SeverableMemberName, bytes: Uint8Array): void => {
    const key = ManifestKey[name];
    if (sever.has(name)) {
      severed.set(key, bytes);
      m.set(key, digestToCbor(digestOfWrapped(bytes, alg)));
    } else m.set(key, bytes);
  };
  for (const name of [
    'dependencyResolution',
    'payloadFetch',
    'candidateVerification',
    'install',
    'uninstall',
  ] as const) {
    const c = input[name];
    if (c) put(name, seq(c).bytes);
  }
  if (input.text) put('text', encodeText(input.text).bytes);
  for (const name of sever) {
    if (name === 'coswid' || !(name === 'text' ? input.text : input[name])) {
      throw new SuitError(
        'SUIT_MALFORMED',
        `cannot sever '${name}': the manifest input has no such member`,
      );
    }
  }
  const bytes = encodeCbor(m, { canonical: true });
  const manifest = decodeManifest(
    bytes,
    { limits: limits ? resolveLimits(limits) : SUIT_DEFAULT_LIMITS, commands: 0 },
    { severed },
  );
  return { manifest, severed };
}

export interface EnvelopeInput {
  readonly manifest: SuitManifest;
  readonly severed?: ReadonlyMap<number, Uint8Array>;
  /** Encoded SUIT_Authentication_Blocks (e.g. COSE_Sign1_Tagged). */
  readonly blocks?: readonly Uint8Array[];
  readonly integrated?: ReadonlyMap<string, Uint8Array>;
  readonly digestAlgorithm?: DigestAlgorithmName;
}

/** Assemble an envelope model (encode it with `encodeEnvelope`): canonical key order. */
export function buildEnvelope(input: EnvelopeInput): SuitEnvelope {
  const digest = suitDigest(input.manifest.bytes, input.digestAlgorithm ?? 'sha256');
  const blocks = input.blocks ?? [];
  const wrapper: CborValue[] = [digest.bytes, ...blocks];
  return {
    authentication: { bytes: encodeCbor(wrapper), digest, blocks },
    manifest: input.manifest,
    severed: input.severed ?? new Map(),
    integrated: input.integrated ?? new Map(),
    extensions: new Map(),
  };
}
