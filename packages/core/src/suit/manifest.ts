import type { CborValue } from '../cbor/index.js';
import { CommonKey, ManifestKey, SEVERABLE_KEYS, type SeverableMemberName } from './constants.js';
import { decodeSequence } from './commands.js';
import { checkWrappedDigest, decodeDigest } from './digest.js';
import { malformed, SuitError } from './errors.js';
import {
  asArray,
  asBytes,
  asMap,
  asText,
  asUint64,
  describe,
  decodeWrapped,
  intKey,
  limit,
  type ReadContext,
} from './read.js';
import { decodeComponentId, decodeText } from './text.js';
import type { Severable, SuitCommon, SuitManifest } from './types.js';

function describeVersion(v: CborValue): string {
  return typeof v === 'number' || typeof v === 'bigint' ? String(v) : describe(v);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface ManifestDecodeOptions {
  /** Keep unknown manifest members in `unknown` instead of refusing them. Default false. */
  readonly allowUnknownMembers?: boolean;
  /** Severed members found in the envelope, by key. */
  readonly severed?: ReadonlyMap<number, Uint8Array>;
}

function decodeCommon(bytes: Uint8Array, ctx: ReadContext, allowUnknown: boolean): SuitCommon {
  const where = 'manifest common';
  const map = asMap(decodeWrapped(bytes, where, ctx), where);
  const common: Mutable<SuitCommon> = { bytes, components: [] };
  let sawComponents = false;
  for (const [k, v] of map) {
    const key = intKey(k, where);
    switch (key) {
      case CommonKey.components: {
        const list = asArray(v, `${where} components`);
        if (list.length === 0)
          throw malformed(`${where} components`, 'at least one component is required');
        limit(list.length, ctx.limits.maxComponents, 'components', `${where} components`);
        common.components = list.map((c, i) =>
          decodeComponentId(c, `${where} components[${i}]`, ctx.limits.maxComponentIdParts),
        );
        sawComponents = true;
        break;
      }
      case CommonKey.sharedSequence:
        common.sharedSequence = decodeSequence(
          asBytes(v, `${where} shared-sequence`),
          'shared-sequence',
          ctx,
        );
        break;
      case CommonKey.dependencies:
        common.dependencies = v;
        break;
      default:
        if (!allowUnknown) {
          throw new SuitError(
            'SUIT_UNKNOWN_MEMBER',
            `${where}: unknown member ${key}; refusing a manifest we cannot fully interpret`,
            {
              details: { where, key },
            },
          );
        }
    }
  }
  if (!sawComponents) throw malformed(where, 'suit-components (2) is required');
  return common;
}

function severable<T>(
  v: CborValue,
  key: number,
  name: SeverableMemberName,
  opts: ManifestDecodeOptions,
  decode: (bytes: Uint8Array, where: string) => T,
): Severable<T> {
  const where = `manifest ${name}`;
  if (v instanceof Uint8Array) return { severed: false, value: decode(v, where) };
  if (!Array.isArray(v))
    throw malformed(where, 'expected a bstr (inline) or a SUIT_Digest (severed)');
  const digest = decodeDigest(v, `${where} digest`);
  const found = opts.severed?.get(key);
  if (found === undefined) return { severed: true, digest, value: undefined };
  checkWrappedDigest(digest, found, `severed member ${name} (${key})`);
  return { severed: true, digest, value: decode(found, `envelope ${name}`) };
}

/** Decode a SUIT_Manifest (the content of the envelope's manifest bstr). */
export function decodeManifest(
  bytes: Uint8Array,
  ctx: ReadContext,
  opts: ManifestDecodeOptions = {},
): SuitManifest {
  const where = 'manifest';
  const map = asMap(decodeWrapped(bytes, where, ctx), where);
  const version = map.get(ManifestKey.version);
  if (version === undefined) throw malformed(where, 'suit-manifest-version (1) is required');
  if (version !== 1) {
    throw new SuitError(
      'SUIT_UNSUPPORTED_VERSION',
      `manifest version ${describeVersion(version)} is not supported (only 1); update the processor or re-issue the manifest`,
      { details: { version: typeof version === 'number' ? version : describeVersion(version) } },
    );
  }
  const seq = map.get(ManifestKey.sequenceNumber);
  if (seq === undefined) throw malformed(where, 'suit-manifest-sequence-number (2) is required');
  const commonBytes = map.get(ManifestKey.common);
  if (commonBytes === undefined) throw malformed(where, 'suit-common (3) is required');
  const allowUnknown = opts.allowUnknownMembers ?? false;
  const m: Mutable<SuitManifest> = {
    bytes,
    version: 1,
    sequenceNumber: asUint64(seq, `${where} sequence-number`),
    common: decodeCommon(asBytes(commonBytes, `${where} common`), ctx, allowUnknown),
  };
  const unknown = new Map<number, CborValue>();
  const seqDecoder = (b: Uint8Array, w: string) => decodeSequence(b, w, ctx);
  for (const [k, v] of map) {
    const key = intKey(k, where);
    switch (key) {
      case ManifestKey.version:
      case ManifestKey.sequenceNumber:
      case ManifestKey.common:
        break;
      case ManifestKey.referenceUri:
        m.referenceUri = asText(v, `${where} reference-uri`);
        break;
      case ManifestKey.manifestComponentId:
        m.manifestComponentId = decodeComponentId(
          v,
          `${where} manifest-component-id`,
          ctx.limits.maxComponentIdParts,
        );
        break;
      case ManifestKey.validate:
      case ManifestKey.load:
      case ManifestKey.invoke: {
        const name =
          key === ManifestKey.validate ? 'validate' : key === ManifestKey.load ? 'load' : 'invoke';
        m[name] = seqDecoder(asBytes(v, `${where} ${name}`), name);
        break;
      }
      default: {
        const name = SEVERABLE_KEYS.get(key);
        if (name === 'text')
          m.text = severable(v, key, name, opts, (b, w) => decodeText(b, w, ctx));
        else if (name === 'coswid') m.coswid = severable(v, key, name, opts, (b) => b);
        else if (name !== undefined) m[name] = severable(v, key, name, opts, seqDecoder);
        else if (allowUnknown) unknown.set(key, v);
        else {
          throw new SuitError(
            'SUIT_UNKNOWN_MEMBER',
            `${where}: unknown member ${key}; refusing a manifest we cannot fully interpret`,
            { details: { where, key } },
          );
        }
      }
    }
  }
  if (unknown.size > 0) m.unknown = unknown;
  return m;
}
