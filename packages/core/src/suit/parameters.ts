import { CborMap, CborTag, type CborValue } from '../cbor/index.js';
import { ParameterKey } from './constants.js';
import { decodeWrappedDigest } from './digest.js';
import { malformed } from './errors.js';
import {
  asBool,
  asBytes,
  asMap,
  asText,
  asUint,
  describe,
  intKey,
  type ReadContext,
} from './read.js';
import type { SuitParameters, VendorId } from './types.js';

const PEN_TAG = 112;

function uuid(v: CborValue, where: string): Uint8Array {
  const b = asBytes(v, where);
  if (b.length !== 16) throw malformed(where, `an RFC 4122 UUID is 16 bytes, got ${b.length}`);
  return b;
}

function vendorId(v: CborValue, where: string): VendorId {
  if (v instanceof CborTag) {
    if (v.tag !== PEN_TAG)
      throw malformed(where, `expected a UUID or a CBOR PEN (tag 112), got tag ${v.tag}`);
    return { pen: asBytes(v.value, where) };
  }
  return { uuid: uuid(v, where) };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Decode the map argument of set-/override-parameters. */
export function decodeParameters(v: CborValue, where: string, ctx: ReadContext): SuitParameters {
  const map = asMap(v, where);
  if (map.size === 0) throw malformed(where, 'a parameters map needs at least one entry');
  const p: Mutable<SuitParameters> = {};
  const other = new Map<number, CborValue>();
  for (const [k, val] of map) {
    const key = intKey(k, where);
    const at = `${where} parameter ${key}`;
    switch (key) {
      case ParameterKey.vendorId:
        p.vendorId = vendorId(val, at);
        break;
      case ParameterKey.classId:
        p.classId = uuid(val, at);
        break;
      case ParameterKey.deviceId:
        p.deviceId = uuid(val, at);
        break;
      case ParameterKey.imageDigest:
        p.imageDigest = decodeWrappedDigest(asBytes(val, at), at, ctx);
        break;
      case ParameterKey.componentSlot:
        p.componentSlot = asUint(val, at);
        break;
      case ParameterKey.strictOrder:
        p.strictOrder = asBool(val, at);
        break;
      case ParameterKey.softFailure:
        p.softFailure = asBool(val, at);
        break;
      case ParameterKey.imageSize:
        p.imageSize = asUint(val, at);
        break;
      case ParameterKey.content:
        p.content = asBytes(val, at);
        break;
      case ParameterKey.uri:
        p.uri = asText(val, at);
        break;
      case ParameterKey.sourceComponent:
        p.sourceComponent = asUint(val, at);
        break;
      case ParameterKey.invokeArgs:
        p.invokeArgs = asBytes(val, at);
        break;
      case ParameterKey.fetchArgs:
        p.fetchArgs = asBytes(val, at);
        break;
      default:
        // Registered parameters this codec does not interpret, and custom (nint) ones:
        // kept raw; the processor refuses them when a command would consume them.
        if (val === undefined) throw malformed(at, `unexpected ${describe(val)}`);
        other.set(key, val);
    }
  }
  if (other.size > 0) p.other = other;
  return p;
}

/** Encode parameters as a CBOR map (canonical order is applied by the encoder). */
export function parametersToCbor(p: SuitParameters): CborMap {
  const m = new CborMap();
  if (p.vendorId !== undefined) {
    m.set(
      ParameterKey.vendorId,
      'uuid' in p.vendorId ? p.vendorId.uuid : new CborTag(PEN_TAG, p.vendorId.pen),
    );
  }
  if (p.classId !== undefined) m.set(ParameterKey.classId, p.classId);
  if (p.imageDigest !== undefined) m.set(ParameterKey.imageDigest, p.imageDigest.bytes);
  if (p.componentSlot !== undefined) m.set(ParameterKey.componentSlot, p.componentSlot);
  if (p.strictOrder !== undefined) m.set(ParameterKey.strictOrder, p.strictOrder);
  if (p.softFailure !== undefined) m.set(ParameterKey.softFailure, p.softFailure);
  if (p.imageSize !== undefined) m.set(ParameterKey.imageSize, p.imageSize);
  if (p.content !== undefined) m.set(ParameterKey.content, p.content);
  if (p.uri !== undefined) m.set(ParameterKey.uri, p.uri);
  if (p.sourceComponent !== undefined) m.set(ParameterKey.sourceComponent, p.sourceComponent);
  if (p.invokeArgs !== undefined) m.set(ParameterKey.invokeArgs, p.invokeArgs);
  if (p.deviceId !== undefined) m.set(ParameterKey.deviceId, p.deviceId);
  if (p.fetchArgs !== undefined) m.set(ParameterKey.fetchArgs, p.fetchArgs);
  for (const [k, v] of p.other ?? []) m.set(k, v);
  return m;
}
