import { CborError, CborMap, CborTag, decodeCbor, encodeCbor } from '../cbor/index.js';
import {
  EnvelopeKey,
  SEVERABLE_KEYS,
  SUIT_ENVELOPE_TAG,
  type SeverableMemberName,
} from './constants.js';
import { checkWrappedDigest, decodeWrappedDigest } from './digest.js';
import { malformed, SuitError } from './errors.js';
import { resolveLimits, type SuitLimits } from './limits.js';
import { decodeManifest } from './manifest.js';
import {
  asArray,
  asBytes,
  asMap,
  decodeWrapped,
  describe,
  limit,
  type ReadContext,
} from './read.js';
import type { SuitAuthentication, SuitEnvelope } from './types.js';

export interface DecodeEnvelopeOptions {
  readonly limits?: Partial<SuitLimits>;
  /**
   * Keep unknown envelope, manifest and common members instead of refusing them
   * (SUIT_UNKNOWN_MEMBER), and a suit-delegation member (SUIT_DELEGATION_UNSUPPORTED).
   * Default false: an unknown envelope member is unauthenticated, and Cairn does not
   * evaluate delegation chains (only the configured trust anchors sign manifests).
   */
  readonly allowUnknownMembers?: boolean;
  /** Severed members that must be present in the envelope (else SUIT_SEVERED_MISSING). */
  readonly requireSevered?: readonly SeverableMemberName[];
}

function decodeAuthentication(bytes: Uint8Array, ctx: ReadContext): SuitAuthentication {
  const where = 'authentication-wrapper';
  const items = asArray(decodeWrapped(bytes, where, ctx), where);
  if (items.length === 0) throw malformed(where, 'the SUIT_Digest of the manifest is required');
  limit(items.length - 1, ctx.limits.maxSignatures, 'authentication blocks', where);
  const digest = decodeWrappedDigest(asBytes(items[0], `${where} digest`), `${where} digest`, ctx);
  const blocks = items.slice(1).map((b, i) => asBytes(b, `${where} block ${i}`));
  return { bytes, digest, blocks };
}

/**
 * Decode a SUIT_Envelope_Tagged (tag 107): authentication wrapper, manifest (its digest
 * checked against the wrapper), severed members (each checked against its digest in the
 * manifest), integrated payloads. Does not verify signatures: see `verifyEnvelope`.
 */
export function decodeEnvelope(bytes: Uint8Array, opts: DecodeEnvelopeOptions = {}): SuitEnvelope {
  const limits = resolveLimits(opts.limits);
  if (bytes.length > limits.maxEnvelopeBytes) {
    throw new SuitError(
      'SUIT_TOO_LARGE',
      `envelope of ${bytes.length} bytes exceeds the cap of ${limits.maxEnvelopeBytes}; raise maxEnvelopeBytes if large integrated payloads are expected`,
      { details: { size: bytes.length, max: limits.maxEnvelopeBytes } },
    );
  }
  const ctx: ReadContext = { limits, commands: 0 };
  let top;
  try {
    top = decodeCbor(bytes, { maxDepth: 4, maxItems: 64 + limits.maxIntegratedPayloads });
  } catch (err) {
    if (err instanceof CborError)
      throw malformed('envelope', `not valid CBOR (${err.message})`, err);
    throw err;
  }
  if (!(top instanceof CborTag) || top.tag !== SUIT_ENVELOPE_TAG) {
    throw malformed(
      'envelope',
      `expected SUIT_Envelope_Tagged (tag ${SUIT_ENVELOPE_TAG}), got ${describe(top)}`,
    );
  }
  const map = asMap(top.value, 'envelope');
  const keyOrder: (number | string)[] = [];
  const severed = new Map<number, Uint8Array>();
  const integrated = new Map<string, Uint8Array>();
  const extensions = new Map<number, Uint8Array>();
  let auth: Uint8Array | undefined;
  let manifest: Uint8Array | undefined;
  let delegation: Uint8Array | undefined;
  for (const [k, v] of map) {
    if (typeof k === 'string') {
      if (k.length === 0)
        throw malformed('envelope', 'an integrated payload needs a non-empty name');
      integrated.set(k, asBytes(v, `integrated payload '${k}'`));
      keyOrder.push(k);
      continue;
    }
    if (typeof k !== 'number' || !Number.isSafeInteger(k)) {
      throw malformed('envelope', `keys are integers or text strings, got ${describe(k)}`);
    }
    keyOrder.push(k);
    const value = asBytes(v, `envelope member ${k}`);
    if (k === EnvelopeKey.authentication) auth = value;
    else if (k === EnvelopeKey.manifest) manifest = value;
    else if (k === EnvelopeKey.delegation) {
      // Not evaluated by Cairn, and not covered by the signature: accepting it silently
      // would let anyone add one (a property test found a one-byte change that turned a
      // severed member into a "delegation" and still verified).
      if (opts.allowUnknownMembers !== true) {
        throw new SuitError(
          'SUIT_DELEGATION_UNSUPPORTED',
          'the envelope carries suit-delegation (1); Cairn does not evaluate delegation chains (only its configured trust anchors sign manifests): remove it (or decode with allowUnknownMembers)',
          { details: { key: k } },
        );
      }
      delegation = value;
    } else if (SEVERABLE_KEYS.has(k)) severed.set(k, value);
    else if (opts.allowUnknownMembers === true) extensions.set(k, value);
    else {
      throw new SuitError(
        'SUIT_UNKNOWN_MEMBER',
        `envelope member ${k} is unknown and not covered by the signature; remove it (or decode with allowUnknownMembers)`,
        { details: { key: k } },
      );
    }
  }
  limit(integrated.size, limits.maxIntegratedPayloads, 'integrated payloads', 'envelope');
  if (auth === undefined)
    throw malformed('envelope', 'suit-authentication-wrapper (2) is required');
  if (manifest === undefined) throw malformed('envelope', 'suit-manifest (3) is required');
  const authentication = decodeAuthentication(auth, ctx);
  checkWrappedDigest(authentication.digest, manifest, 'the manifest');
  const decoded = decodeManifest(manifest, ctx, {
    severed,
    ...(opts.allowUnknownMembers === undefined
      ? {}
      : { allowUnknownMembers: opts.allowUnknownMembers }),
  });
  for (const [key, name] of SEVERABLE_KEYS) {
    const member = decoded[name];
    if (severed.has(key) && member?.severed !== true) {
      throw new SuitError(
        'SUIT_SEVERED_UNEXPECTED',
        `envelope member ${name} (${key}) has no digest in the manifest, so it is not authenticated; remove it`,
        { details: { key, name } },
      );
    }
  }
  for (const name of opts.requireSevered ?? []) {
    const member = decoded[name];
    if (member?.severed === true && member.value === undefined) {
      throw new SuitError(
        'SUIT_SEVERED_MISSING',
        `the severed member ${name} is required but the envelope does not carry it; fetch the full envelope (reference-uri ${decoded.referenceUri ?? 'absent'})`,
        { details: { name } },
      );
    }
  }
  return {
    authentication,
    manifest: decoded,
    ...(delegation === undefined ? {} : { delegation }),
    severed,
    integrated,
    extensions,
    keyOrder,
  };
}

/**
 * Encode an envelope. Every member is written from its `bytes`, in `keyOrder` when the
 * model has one (decoded input re-encodes byte-identically), else in canonical order.
 */
export function encodeEnvelope(env: SuitEnvelope): Uint8Array {
  const members = new Map<number | string, Uint8Array>();
  if (env.delegation !== undefined) members.set(EnvelopeKey.delegation, env.delegation);
  members.set(EnvelopeKey.authentication, env.authentication.bytes);
  members.set(EnvelopeKey.manifest, env.manifest.bytes);
  for (const [k, v] of env.severed) members.set(k, v);
  for (const [k, v] of env.extensions) members.set(k, v);
  for (const [k, v] of env.integrated) members.set(k, v);
  const order = env.keyOrder;
  const sameKeys =
    order !== undefined && order.length === members.size && order.every((k) => members.has(k));
  const map = new CborMap(
    sameKeys ? order.map((k) => [k, members.get(k)!] as const) : [...members],
  );
  return encodeCbor(new CborTag(SUIT_ENVELOPE_TAG, map), { canonical: !sameKeys });
}
