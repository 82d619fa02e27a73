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
  Severable,
  SuitText,
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

export interface BuildManifestOptions {
  /**
   * Decode and validate the encoded manifest again, returning the decoded model (default
   * true). Builders whose input is already validated and capped (buildFirmwareManifest)
   * pass false: the model is then assembled from the very pieces that were encoded.
   */
  readonly decode?: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const MAX_UINT64 = 0xffffffffffffffffn;

/** The sequence number as decoding gives it back: a number when safe, else a bigint. */
function uint64(n: number | bigint): number | bigint {
  if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) return n;
  if (typeof n === 'bigint' && n >= 0n && n <= MAX_UINT64)
    return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  throw new SuitError(
    'SUIT_MALFORMED',
    `manifest sequence-number must be an integer in 0..2^64-1, got ${String(n)}`,
  );
}

/** A text model in the order decoding gives it back: components sorted by encoded id. */
function canonicalText(text: SuitText): SuitText {
  const languages = new Map<string, SuitTextLanguage>();
  for (const [tag, lang] of text.languages) {
    const keyed = lang.components.map((c) => ({ c, key: encodeCbor([...c.component]) }));
    keyed.sort((a, b) => Buffer.compare(a.key, b.key));
    languages.set(tag, { ...lang, components: keyed.map((k) => k.c) });
  }
  return { bytes: text.bytes, languages };
}

/** Build a manifest deterministically (canonical CBOR), severing the members asked for. */
export function buildManifest(
  input: ManifestInput,
  limits?: Partial<SuitLimits>,
  options: BuildManifestOptions = {},
): BuiltManifest {
  const alg = input.digestAlgorithm ?? 'sha256';
  const sever = new Set(input.sever ?? []);
  const shared = input.sharedSequence ? seq(input.sharedSequence) : undefined;
  const common = new CborMap([[CommonKey.components, input.components.map((c) => [...c])]]);
  if (shared) common.set(CommonKey.sharedSequence, shared.bytes);
  const commonBytes = encodeCbor(common, { canonical: true });
  const m = new CborMap([
    [ManifestKey.version, 1],
    [ManifestKey.sequenceNumber, input.sequenceNumber],
    [ManifestKey.common, commonBytes],
  ]);
  const model: Mutable<SuitManifest> = {
    bytes: new Uint8Array(0),
    version: 1,
    sequenceNumber: 0,
    common: {
      bytes: commonBytes,
      components: input.components.map((c) => [...c]),
      ...(shared ? { sharedSequence: shared } : {}),
    },
  };
  if (input.referenceUri !== undefined) {
    m.set(ManifestKey.referenceUri, input.referenceUri);
    model.referenceUri = input.referenceUri;
  }
  for (const name of ['validate', 'load', 'invoke'] as const) {
    const c = input[name];
    if (c) {
      const s = seq(c);
      m.set(ManifestKey[name], s.bytes);
      model[name] = s;
    }
  }
  const severed = new Map<number, Uint8Array>();
  const put = <T extends { readonly bytes: Uint8Array }>(
    name: SeverableMemberName,
    value: T,
  ): Severable<T> => {
    const key = ManifestKey[name];
    if (sever.has(name)) {
      severed.set(key, value.bytes);
      const digest = digestOfWrapped(value.bytes, alg);
      m.set(key, digestToCbor(digest));
      return { severed: true, digest, value };
    }
    m.set(key, value.bytes);
    return { severed: false, value };
  };
  for (const name of [
    'dependencyResolution',
    'payloadFetch',
    'candidateVerification',
    'install',
    'uninstall',
  ] as const) {
    const c = input[name];
    if (c) model[name] = put(name, seq(c));
  }
  if (input.text) model.text = put('text', canonicalText(encodeText(input.text)));
  for (const name of sever) {
    if (name === 'coswid' || !(name === 'text' ? input.text : input[name])) {
      throw new SuitError(
        'SUIT_MALFORMED',
        `cannot sever '${name}': the manifest input has no such member`,
      );
    }
  }
  const bytes = encodeCbor(m, { canonical: true });
  if (options.decode === false) {
    model.bytes = bytes;
    model.sequenceNumber = uint64(input.sequenceNumber);
    return { manifest: model, severed };
  }
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
