/**
 * The Cairn firmware profile of SUIT: the one shape of manifest the signing service
 * builds and every installer (agent, update server) reads. It is plain SUIT — any SUIT
 * processor can run it — restricted so that a device can read what it must check
 * (product binding, sequence number, per-component digest and size) without running code:
 *
 *   common.components     one component per payload, e.g. [['rootfs']]
 *   common.shared-seq     override-parameters {vendor-id, class-id}
 *                         condition-vendor-identifier, condition-class-identifier
 *                         then per component: set-component-index i,
 *                                             override-parameters {image-digest, image-size}
 *   install               per component: set-component-index i,
 *                                        override-parameters {uri: "#cairn-payload-i"},
 *                                        fetch, condition-image-match
 *   validate              per component: set-component-index i, condition-image-match
 *   text (optional)       component-version / manifest description
 *
 * The bundle carries the payloads; "#cairn-payload-i" names payload i of the bundle.
 */
import { encodeCbor } from '../cbor/index.js';
import { BaseError } from '../errors/base-error.js';
import { buildManifest, suitCommand, type BuiltManifest } from '../suit/build.js';
import { TextComponentKey, TextKey } from '../suit/constants.js';
import type {
  ComponentId,
  SuitCommand,
  SuitManifest,
  SuitParameters,
  WrappedDigest,
} from '../suit/types.js';
import { formatUuid } from '../suit/uuid.js';

export type FirmwareErrorCode = 'FIRMWARE_PROFILE_VIOLATION' | 'FIRMWARE_INPUT_INVALID';
export class FirmwareError extends BaseError<FirmwareErrorCode> {}

export interface FirmwareComponentInput {
  /** Component identifier, e.g. ['rootfs'] (strings are UTF-8 encoded). */
  readonly id: readonly (string | Uint8Array)[];
  /** SHA-256 of the payload (32 bytes): computed by the client, the image need not travel. */
  readonly sha256: Uint8Array;
  readonly size: number;
  readonly version?: string;
}

export interface FirmwareManifestInput {
  readonly sequenceNumber: number | bigint;
  /** 16-byte UUIDs (RFC 9124: UUIDv5 of the vendor domain / of vendor-id + model). */
  readonly vendorId: Uint8Array;
  readonly classId: Uint8Array;
  readonly components: readonly FirmwareComponentInput[];
  /** Release version for people (e.g. "3.3.0"); goes into the text member. */
  readonly version?: string;
  readonly description?: string;
}

export interface FirmwareComponent {
  readonly index: number;
  readonly id: ComponentId;
  readonly digest: { readonly algorithm: 'sha-256'; readonly value: Uint8Array };
  readonly size: number;
  readonly version?: string;
}

/** What an installer needs from a verified firmware manifest. */
export interface FirmwareManifest {
  readonly sequenceNumber: bigint;
  readonly vendorId: Uint8Array;
  readonly classId: Uint8Array;
  readonly vendorUuid: string;
  readonly classUuid: string;
  readonly components: readonly FirmwareComponent[];
  readonly version?: string;
  readonly description?: string;
}

export const PAYLOAD_URI_PREFIX = '#cairn-payload-';
const MAX_COMPONENTS = 16;
/** Parts of one component id (SUIT_DEFAULT_LIMITS.maxComponentIdParts: what installers accept). */
const MAX_ID_PARTS = 16;
const MAX_SEQUENCE = 0xffffffffffffffffn;
/** A string with one of these is not Unicode text (UTF-8 would replace it). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function sha256Digest(value: Uint8Array): WrappedDigest {
  return { algorithmId: -16, algorithm: 'sha256', value, bytes: encodeCbor([-16, value]) };
}

const enc = new TextEncoder();

/** Build (not sign) a firmware-profile manifest; sign it with `signEnvelope`. */
export function buildFirmwareManifest(input: FirmwareManifestInput): BuiltManifest {
  const problems: string[] = [];
  const sn = input.sequenceNumber;
  if (
    typeof sn === 'number'
      ? !Number.isSafeInteger(sn) || sn < 0
      : typeof sn !== 'bigint' || sn < 0n || sn > MAX_SEQUENCE
  )
    problems.push('sequenceNumber must be an integer in 0..2^64-1');
  if (input.vendorId.length !== 16) problems.push('vendorId must be a 16-byte UUID');
  if (input.classId.length !== 16) problems.push('classId must be a 16-byte UUID');
  if (input.components.length === 0 || input.components.length > MAX_COMPONENTS) {
    problems.push(`components must number 1..${MAX_COMPONENTS}`);
  }
  const notText = (v: string | undefined) => v !== undefined && LONE_SURROGATE.test(v);
  if (notText(input.version)) problems.push('version must be well-formed Unicode');
  if (notText(input.description)) problems.push('description must be well-formed Unicode');
  const ids = new Map<string, number>();
  input.components.forEach((c, i) => {
    if (notText(c.version)) problems.push(`components[${i}].version must be well-formed Unicode`);
    const id = c.id.map((p) => (typeof p === 'string' ? enc.encode(p) : p));
    const key = Buffer.from(encodeCbor(id)).toString('hex');
    const first = ids.get(key);
    if (first !== undefined) problems.push(`components[${i}].id repeats components[${first}].id`);
    else ids.set(key, i);
    if (c.sha256.length !== 32) problems.push(`components[${i}].sha256 must be 32 bytes`);
    if (!Number.isSafeInteger(c.size) || c.size < 0)
      problems.push(`components[${i}].size must be a non-negative integer`);
    if (c.id.length === 0 || c.id.length > MAX_ID_PARTS)
      problems.push(`components[${i}].id must have 1..${MAX_ID_PARTS} parts`);
  });
  if (problems.length)
    throw new FirmwareError(
      'FIRMWARE_INPUT_INVALID',
      `invalid firmware manifest input: ${problems.join('; ')}`,
    );

  const shared: SuitCommand[] = [
    suitCommand.overrideParameters({ vendorId: { uuid: input.vendorId }, classId: input.classId }),
    suitCommand.condition('vendor-identifier'),
    suitCommand.condition('class-identifier'),
  ];
  const install: SuitCommand[] = [];
  const validate: SuitCommand[] = [];
  input.components.forEach((c, i) => {
    shared.push(
      suitCommand.setComponentIndex(i),
      suitCommand.overrideParameters({ imageDigest: sha256Digest(c.sha256), imageSize: c.size }),
    );
    install.push(
      suitCommand.setComponentIndex(i),
      suitCommand.overrideParameters({ uri: `${PAYLOAD_URI_PREFIX}${i}` }),
      suitCommand.action('fetch'),
      suitCommand.condition('image-match'),
    );
    validate.push(suitCommand.setComponentIndex(i), suitCommand.condition('image-match'));
  });
  const componentIds: ComponentId[] = input.components.map((c) =>
    c.id.map((p) => (typeof p === 'string' ? enc.encode(p) : p)),
  );
  const fields = new Map<number, string>();
  if (input.description !== undefined) fields.set(TextKey.manifestDescription, input.description);
  if (input.version !== undefined)
    fields.set(TextKey.updateDescription, `version ${input.version}`);
  const textComponents = input.components.flatMap((c, i) =>
    (c.version ?? input.version)
      ? [
          {
            component: componentIds[i]!,
            fields: new Map([[TextComponentKey.componentVersion, (c.version ?? input.version)!]]),
          },
        ]
      : [],
  );
  const hasText = fields.size > 0 || textComponents.length > 0;
  // The input is validated and capped above and the profile's shape is fixed, so the
  // manifest model is assembled from the encoded pieces instead of decoding the bytes
  // again (the signer's hot path); test/firmware in @cairn/signer checks the two agree.
  return buildManifest(
    {
      sequenceNumber: input.sequenceNumber,
      components: componentIds,
      sharedSequence: shared,
      install,
      validate,
      ...(hasText ? { text: new Map([['en', { fields, components: textComponents }]]) } : {}),
    },
    undefined,
    { decode: false },
  );
}

function violation(msg: string): never {
  throw new FirmwareError(
    'FIRMWARE_PROFILE_VIOLATION',
    `manifest does not follow the Cairn firmware profile: ${msg} (see docs/formats/firmware-profile.md)`,
  );
}

/**
 * Read a (verified) manifest as a firmware-profile manifest: evaluates the shared
 * sequence's parameters statically and checks that install/validate match every
 * component's image. Throws FIRMWARE_PROFILE_VIOLATION for anything else.
 */
export function readFirmwareManifest(manifest: SuitManifest): FirmwareManifest {
  const n = manifest.common.components.length;
  if (n === 0 || n > MAX_COMPONENTS)
    violation(`it has ${n} components (1..${MAX_COMPONENTS} allowed)`);
  const shared = manifest.common.sharedSequence?.commands ?? violation('no shared sequence');
  let index: number | undefined;
  let vendorId: Uint8Array | undefined;
  let classId: Uint8Array | undefined;
  let vendorChecked = false;
  let classChecked = false;
  const params: SuitParameters[] = Array.from({ length: n }, () => ({}));
  for (const c of shared) {
    if (c.name === 'set-component-index') {
      if (typeof c.index !== 'number' || c.index >= n)
        violation('set-component-index must name one component');
      index = c.index;
    } else if (c.name === 'override-parameters') {
      const p = c.parameters;
      if (index === undefined) {
        if (p.vendorId)
          vendorId = 'uuid' in p.vendorId ? p.vendorId.uuid : violation('vendor-id must be a UUID');
        if (p.classId) classId = p.classId;
        if (p.imageDigest || p.imageSize !== undefined)
          violation('image parameters must follow set-component-index');
      } else {
        params[index] = { ...params[index], ...p };
      }
    } else if (c.kind === 'condition' && c.name === 'vendor-identifier') {
      vendorChecked = true;
    } else if (c.kind === 'condition' && c.name === 'class-identifier') {
      classChecked = true;
    } else {
      violation(`unexpected command '${c.name}' in the shared sequence`);
    }
  }
  if (!vendorId || vendorId.length !== 16 || !vendorChecked)
    violation('vendor-id must be set and checked');
  if (!classId || classId.length !== 16 || !classChecked)
    violation('class-id must be set and checked');
  const installSeq = manifest.install?.value?.commands ?? violation('no install sequence');
  const fetched = new Set<number>();
  let cur: number | undefined;
  for (const c of installSeq) {
    if (c.name === 'set-component-index' && typeof c.index === 'number') cur = c.index;
    else if (
      c.name === 'override-parameters' &&
      cur !== undefined &&
      c.parameters.uri === `${PAYLOAD_URI_PREFIX}${cur}`
    )
      continue;
    else if (c.name === 'fetch' && cur !== undefined) fetched.add(cur);
    else if (!(c.kind === 'condition' && c.name === 'image-match'))
      violation(`unexpected command '${c.name}' in install`);
  }
  const text = manifest.text?.value?.languages.get('en');
  const components: FirmwareComponent[] = manifest.common.components.map((id, i) => {
    const p = params[i]!;
    if (!p.imageDigest || p.imageDigest.algorithm !== 'sha256' || p.imageSize === undefined) {
      violation(`component ${i} lacks a SHA-256 image-digest or image-size`);
    }
    if (!fetched.has(i)) violation(`install never fetches component ${i}`);
    const version = text?.components
      .find(
        (tc) =>
          tc.component.length === id.length &&
          tc.component.every((b, k) => Buffer.compare(b, id[k]!) === 0),
      )
      ?.fields.get(TextComponentKey.componentVersion);
    return {
      index: i,
      id,
      digest: { algorithm: 'sha-256', value: p.imageDigest.value },
      size: p.imageSize,
      ...(version === undefined ? {} : { version }),
    };
  });
  const updateDescription = text?.fields.get(TextKey.updateDescription);
  const version = updateDescription?.startsWith('version ')
    ? updateDescription.slice(8)
    : components[0]?.version;
  const description = text?.fields.get(TextKey.manifestDescription);
  return {
    sequenceNumber: BigInt(manifest.sequenceNumber),
    vendorId,
    classId,
    vendorUuid: formatUuid(vendorId),
    classUuid: formatUuid(classId),
    components,
    ...(version === undefined ? {} : { version }),
    ...(description === undefined ? {} : { description }),
  };
}
