/**
 * The checks a release upload must pass, as numbered steps (tuf-js style), each with its
 * own code:
 *   1 bundle framing (preamble, header checksum, header) → RELEASE_MALFORMED
 *   2 envelope signature against the product's anchors (x5chain or pinned key)
 *                                                       → RELEASE_SIGNATURE_INVALID
 *   3 vendor-id / class-id equal the product's          → RELEASE_WRONG_PRODUCT
 *   4 sequence number strictly above every earlier release → RELEASE_SEQUENCE_NOT_NEWER
 *   5 payload digests and sizes (streamed)              → RELEASE_PAYLOAD_INVALID
 *   6 size cap while receiving                           → RELEASE_TOO_LARGE
 */
import { BaseError, isCairnError, resolveSigningKey, verifyEnvelope } from '@cairn/core';
import type { KeyObject } from 'node:crypto';
import type { TrustAnchor } from '@cairn/core';
import { ReleaseError } from '../errors.js';
import type { Product } from '../products/products.js';
import { describeManifest } from './manifest.js';
import type { ReleaseManifest } from './manifest.js';

export interface EnvelopeCheckContext {
  readonly product: Product;
  readonly anchors: readonly TrustAnchor[];
  /** Highest sequence number of the product's releases so far. */
  readonly previousSequence: bigint | undefined;
  readonly at: Date;
}

/** Steps 2–4 on the envelope bytes; returns what the bundle's payloads are bound to. */
export function checkEnvelope(envelope: Uint8Array, ctx: EnvelopeCheckContext): ReleaseManifest {
  const keys: KeyObject[] = [];
  for (const a of ctx.anchors)
    if (a.kind === 'key' && a.certificate === undefined) keys.push(a.key);
  let verified;
  try {
    verified = verifyEnvelope(envelope, {
      keys,
      resolveKey: (h) =>
        resolveSigningKey({
          anchors: ctx.anchors,
          at: ctx.at,
          ...(h.x5chain === undefined ? {} : { x5chain: h.x5chain }),
          ...(h.kid === undefined ? {} : { kid: h.kid }),
        }),
    });
  } catch (err) {
    if (!isCairnError(err)) throw err;
    const malformed = [
      'SUIT_MALFORMED',
      'SUIT_TOO_LARGE',
      'SUIT_LIMIT_EXCEEDED',
      'SUIT_UNSUPPORTED_VERSION',
    ];
    throw new ReleaseError(
      malformed.includes(err.code) ? 'RELEASE_MALFORMED' : 'RELEASE_SIGNATURE_INVALID',
      malformed.includes(err.code)
        ? `the bundle's SUIT envelope is malformed (${err.code}: ${err.message})`
        : `the release is not signed by a trust anchor of product "${ctx.product.id}" (${err.code}: ${err.message}); sign it with the product's signing key or add the anchor to the product`,
      { cause: err, details: { causeCode: err.code } },
    );
  }
  const m = describeManifest(verified.manifest);
  const wrong: string[] = [];
  if (m.vendorId !== ctx.product.vendorId) {
    wrong.push(`vendor-id ${m.vendorId ?? '(none)'} ≠ ${ctx.product.vendorId}`);
  }
  if (m.classId !== ctx.product.classId) {
    wrong.push(`class-id ${m.classId ?? '(none)'} ≠ ${ctx.product.classId}`);
  }
  if (wrong.length > 0) {
    throw new ReleaseError(
      'RELEASE_WRONG_PRODUCT',
      `the release is built for another product than "${ctx.product.id}": ${wrong.join(', ')}; upload it to the product it names`,
      { details: { vendorId: m.vendorId, classId: m.classId } },
    );
  }
  if (ctx.previousSequence !== undefined && m.sequenceNumber <= ctx.previousSequence) {
    throw new ReleaseError(
      'RELEASE_SEQUENCE_NOT_NEWER',
      `sequence number ${m.sequenceNumber} is not above ${ctx.previousSequence}, the highest release of product "${ctx.product.id}"; to re-release older firmware, sign it again with a higher sequence number`,
      {
        details: {
          sequenceNumber: m.sequenceNumber.toString(),
          previous: ctx.previousSequence.toString(),
        },
      },
    );
  }
  return m;
}

const PAYLOAD_CODES = [
  'BUNDLE_PAYLOAD_MISMATCH',
  'PAYLOAD_DIGEST_MISMATCH',
  'PAYLOAD_TOO_LONG',
  'PAYLOAD_TOO_SHORT',
];

/** Translate a failure of verifyBundle into the release code that names it. */
export function uploadFailure(err: unknown): unknown {
  if (err instanceof ReleaseError) return err;
  if (!(err instanceof BaseError)) return err;
  const code: string = err.code as string;
  if (code === 'BUNDLE_ENVELOPE_INVALID' && err.cause instanceof ReleaseError) {
    return err.cause;
  }
  if (code === 'ARTIFACT_TOO_LARGE') {
    return new ReleaseError('RELEASE_TOO_LARGE', `the bundle is too large: ${err.message}`, {
      cause: err,
    });
  }
  if (code === 'ARTIFACT_ABORTED') return err;
  if (PAYLOAD_CODES.includes(code)) {
    return new ReleaseError(
      'RELEASE_PAYLOAD_INVALID',
      `a payload does not match the signed manifest (${code}: ${err.message}); the bundle was altered or damaged after signing`,
      { cause: err, details: { causeCode: code } },
    );
  }
  if (!/^(BUNDLE_|STREAM_|CBOR_|SUIT_|COSE_)/.test(code)) return err;
  return new ReleaseError(
    'RELEASE_MALFORMED',
    `the file is not a valid .cairn bundle (${code}: ${err.message})`,
    { cause: err, details: { causeCode: code } },
  );
}
