import type { CborValue } from '../cbor/index.js';
import type { ConditionName, DigestAlgorithmName } from './constants.js';

/**
 * The SUIT model. Every structure that SUIT wraps in a bstr carries `bytes`: the exact
 * encoded content of that bstr as received (or as built). Encoders write `bytes` verbatim
 * when present, so a decoded envelope re-encodes byte-identically and digests stay valid.
 * Builders (`build.ts`) create models with canonical `bytes`.
 */

/** SUIT_Digest: [COSE hash algorithm id, digest bytes]. */
export interface SuitDigest {
  readonly algorithmId: number;
  readonly algorithm: DigestAlgorithmName;
  readonly value: Uint8Array;
}

/** A bstr-wrapped SUIT_Digest (authentication wrapper, image-digest parameter). */
export interface WrappedDigest extends SuitDigest {
  readonly bytes: Uint8Array;
}

/** SUIT_Component_Identifier: a list of byte strings. */
export type ComponentId = readonly Uint8Array[];

/** suit-directive-set-component-index argument. */
export type ComponentIndex = number | true | readonly number[];

/** A vendor id: an RFC 4122 UUID (16 bytes) or a CBOR PEN (tag 112, relative OID bytes). */
export type VendorId = { readonly uuid: Uint8Array } | { readonly pen: Uint8Array };

/** SUIT_Parameters, typed. Unknown/custom parameters are kept raw in `other`. */
export interface SuitParameters {
  readonly vendorId?: VendorId;
  readonly classId?: Uint8Array;
  readonly imageDigest?: WrappedDigest;
  readonly componentSlot?: number;
  readonly strictOrder?: boolean;
  readonly softFailure?: boolean;
  readonly imageSize?: number;
  readonly content?: Uint8Array;
  readonly uri?: string;
  readonly sourceComponent?: number;
  readonly invokeArgs?: Uint8Array;
  readonly deviceId?: Uint8Array;
  readonly fetchArgs?: Uint8Array;
  /** Parameters this codec does not interpret (custom nint keys, encryption info, …). */
  readonly other?: ReadonlyMap<number, CborValue>;
}

export interface ConditionCommand {
  readonly kind: 'condition';
  readonly name: ConditionName;
  readonly code: number;
  /** SUIT_Rep_Policy bits (record success/failure, sysinfo success/failure). */
  readonly policy: number;
}

/** Directives that take a reporting policy and act on the current component(s). */
export type ActionDirectiveName =
  'fetch' | 'copy' | 'write' | 'invoke' | 'swap' | 'unlink' | 'process-dependency' | 'wait';

export interface ActionCommand {
  readonly kind: 'directive';
  readonly name: ActionDirectiveName;
  readonly code: number;
  readonly policy: number;
}

export interface SetComponentIndexCommand {
  readonly kind: 'directive';
  readonly name: 'set-component-index';
  readonly code: 12;
  readonly index: ComponentIndex;
}

export interface ParametersCommand {
  readonly kind: 'directive';
  readonly name: 'override-parameters' | 'set-parameters';
  readonly code: 19 | 20;
  readonly parameters: SuitParameters;
}

export interface TryEachCommand {
  readonly kind: 'directive';
  readonly name: 'try-each';
  readonly code: 15;
  /** The alternatives; `null` is the trailing "nil" that makes try-each never fail. */
  readonly sequences: readonly (SuitCommandSequence | null)[];
}

export interface RunSequenceCommand {
  readonly kind: 'directive';
  readonly name: 'run-sequence';
  readonly code: 32;
  readonly sequence: SuitCommandSequence;
}

/** A custom (negative code) command; its argument is kept raw. */
export interface CustomCommand {
  readonly kind: 'custom';
  readonly name: 'custom';
  readonly code: number;
  readonly argument: CborValue;
}

export type SuitCommand =
  | ConditionCommand
  | ActionCommand
  | SetComponentIndexCommand
  | ParametersCommand
  | TryEachCommand
  | RunSequenceCommand
  | CustomCommand;

/** A SUIT_Command_Sequence with the encoded bytes it was decoded from (or built to). */
export interface SuitCommandSequence {
  readonly bytes: Uint8Array;
  readonly commands: readonly SuitCommand[];
}

/** A member that is either in the manifest or severed to the envelope. */
export type Severable<T> =
  | { readonly severed: false; readonly value: T }
  | {
      readonly severed: true;
      readonly digest: SuitDigest;
      /** The member from the envelope, checked against `digest`; absent when it was severed away. */
      readonly value: T | undefined;
    };

export interface SuitTextComponent {
  readonly component: ComponentId;
  /** suit-text-vendor-name (1), model-name (2), vendor-domain (3), model-info (4), … */
  readonly fields: ReadonlyMap<number, string>;
}

export interface SuitTextLanguage {
  /** suit-text-manifest-description (1), update-description (2), json-source (3), yaml (4). */
  readonly fields: ReadonlyMap<number, string>;
  readonly components: readonly SuitTextComponent[];
}

/** SUIT_Text_Map: language tag → text. */
export interface SuitText {
  readonly bytes: Uint8Array;
  readonly languages: ReadonlyMap<string, SuitTextLanguage>;
}

export interface SuitCommon {
  readonly bytes: Uint8Array;
  readonly components: readonly ComponentId[];
  readonly sharedSequence?: SuitCommandSequence;
  /** suit-dependencies (trust domains), kept raw. */
  readonly dependencies?: CborValue;
}

export interface SuitManifest {
  /** The encoded SUIT_Manifest (the content of the envelope's manifest bstr). */
  readonly bytes: Uint8Array;
  readonly version: 1;
  /** uint64, exact: a number when it is a safe integer, else a bigint. */
  readonly sequenceNumber: number | bigint;
  readonly common: SuitCommon;
  readonly referenceUri?: string;
  readonly manifestComponentId?: ComponentId;
  readonly validate?: SuitCommandSequence;
  readonly load?: SuitCommandSequence;
  readonly invoke?: SuitCommandSequence;
  readonly dependencyResolution?: Severable<SuitCommandSequence>;
  readonly payloadFetch?: Severable<SuitCommandSequence>;
  readonly candidateVerification?: Severable<SuitCommandSequence>;
  readonly install?: Severable<SuitCommandSequence>;
  readonly uninstall?: Severable<SuitCommandSequence>;
  readonly text?: Severable<SuitText>;
  readonly coswid?: Severable<Uint8Array>;
  /** Members kept only when decoding with `allowUnknownMembers` (key → raw value). */
  readonly unknown?: ReadonlyMap<number, CborValue>;
}

export interface SuitAuthentication {
  /** The encoded authentication wrapper (content of the envelope's bstr at key 2). */
  readonly bytes: Uint8Array;
  /** The SUIT_Digest of the manifest bstr; `bytes` is the COSE detached payload. */
  readonly digest: WrappedDigest;
  /** Each SUIT_Authentication_Block, raw (COSE_Sign1_Tagged etc.). */
  readonly blocks: readonly Uint8Array[];
}

export interface SuitEnvelope {
  readonly authentication: SuitAuthentication;
  readonly manifest: SuitManifest;
  /** suit-delegation (key 1), raw bstr content. */
  readonly delegation?: Uint8Array;
  /** Severable members present in the envelope: key → bstr content (digest-checked). */
  readonly severed: ReadonlyMap<number, Uint8Array>;
  /** Integrated payloads: text key (e.g. "#fw") → bytes. */
  readonly integrated: ReadonlyMap<string, Uint8Array>;
  /** Other integer-keyed bstr members the draft allows (`* (int => bstr)`), kept raw. */
  readonly extensions: ReadonlyMap<number, Uint8Array>;
  /** The envelope's key order as received, so it re-encodes byte-identically. */
  readonly keyOrder?: readonly (number | string)[] | undefined;
}
