/**
 * `verifyBundle`: the whole verification of a `.cairn` bundle, as numbered steps
 * (`BUNDLE_CHECKS`), each with its own codes:
 *   1 preamble · 2 header checksum · 3 header · 4 envelope (caller's verifier) ·
 *   5 transparency proof · 6 payload binding · 7 payload digests and sizes (streamed) ·
 *   8 end of bundle.
 * No payload byte is read before steps 1–6 have passed.
 */
import { BaseError } from '../errors/base-error.js';
import { PassThrough } from '../stream/pass-through.js';
import { DONE } from '../stream/turns.js';
import { createPayloadCheck, drainChecked } from '../stream/verify.js';
import type { PayloadDigest } from '../stream/verify.js';
import { bindPayloads } from './bind.js';
import type { BundleManifest } from './bind.js';
import { bundleError } from './errors.js';
import { openBundle } from './reader.js';

export interface VerifiedPayloadStream {
  readonly componentIndex: number;
  readonly size: number;
  readonly digest: PayloadDigest;
  /** Verified only once fully read without error; write it to an inactive slot only. */
  readonly stream: AsyncIterable<Uint8Array>;
}

export interface VerifyBundleOptions<M extends BundleManifest> {
  /** Step 4: verify the signed envelope (signature, trust, anti-rollback…); throw to refuse. */
  readonly verifyEnvelope: (envelope: Uint8Array) => M | Promise<M>;
  /** Step 5: verify the transparency proof for the envelope; throw to refuse. */
  readonly verifyProof?: (proof: Uint8Array, envelope: Uint8Array, manifest: M) => unknown;
  /** Refuse a bundle without a transparency proof. Default false. */
  readonly requireProof?: boolean;
  /**
   * Step 7: receives each payload stream in order (e.g. to write it into a slot). What it
   * leaves unread is read and verified after it returns. Default: read and discard.
   */
  readonly onPayload?: (payload: VerifiedPayloadStream) => Promise<void>;
  readonly maxHeaderBytes?: number;
  readonly signal?: AbortSignal;
}

export interface VerifiedBundle<M extends BundleManifest> {
  readonly manifest: M;
  readonly envelope: Uint8Array;
  readonly proof?: Uint8Array;
  /** Unsigned and informational only. */
  readonly metadata?: ReadonlyMap<string, string>;
  readonly payloads: readonly { readonly componentIndex: number; readonly size: number }[];
}

function describe(err: unknown): string {
  if (err instanceof BaseError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

export async function verifyBundle<M extends BundleManifest>(
  source: AsyncIterable<Uint8Array>,
  opts: VerifyBundleOptions<M>,
): Promise<VerifiedBundle<M>> {
  const { signal } = opts;
  const bundle = await openBundle(source, {
    ...(opts.maxHeaderBytes === undefined ? {} : { maxHeaderBytes: opts.maxHeaderBytes }),
    ...(signal === undefined ? {} : { signal }),
  });
  try {
    let manifest: M;
    try {
      manifest = await opts.verifyEnvelope(bundle.envelope);
    } catch (err) {
      throw bundleError(4, 'BUNDLE_ENVELOPE_INVALID', `envelope refused: ${describe(err)}`, {
        cause: err,
        details: err instanceof BaseError ? { causeCode: err.code } : {},
      });
    }
    if (bundle.proof === undefined) {
      if (opts.requireProof === true) {
        throw bundleError(5, 'BUNDLE_PROOF_MISSING', 'a transparency proof is required');
      }
    } else if (opts.verifyProof !== undefined) {
      try {
        await opts.verifyProof(bundle.proof, bundle.envelope, manifest);
      } catch (err) {
        throw bundleError(5, 'BUNDLE_PROOF_REJECTED', `proof refused: ${describe(err)}`, {
          cause: err,
          details: err instanceof BaseError ? { causeCode: err.code } : {},
        });
      }
    }
    const bound = bindPayloads(bundle.payloadTable, manifest);
    let i = 0;
    for await (const payload of bundle.payloads()) {
      const b = bound[i++]!;
      const check = createPayloadCheck({
        digest: b.digest,
        size: b.size,
        ...(signal === undefined ? {} : { signal }),
      });
      if (opts.onPayload === undefined) await drainChecked(payload.stream, check);
      else await deliver(new PassThrough(payload.stream, check, true), b, opts.onPayload);
    }
    return {
      manifest,
      envelope: bundle.envelope,
      ...(bundle.proof === undefined ? {} : { proof: bundle.proof }),
      ...(bundle.metadata === undefined ? {} : { metadata: bundle.metadata }),
      payloads: bound.map(({ componentIndex, size }) => ({ componentIndex, size })),
    };
  } catch (err) {
    await bundle.close().catch(() => undefined);
    throw err;
  }
}

/**
 * Hand the stream to the callback, then read and verify whatever it left. `verified`
 * is sticky: an error the callback swallowed is thrown again here.
 */
async function deliver(
  verified: PassThrough,
  b: { componentIndex: number; size: number; digest: PayloadDigest },
  onPayload: NonNullable<VerifyBundleOptions<BundleManifest>['onPayload']>,
): Promise<void> {
  const view: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: () => verified.next(),
      // The callback stopping early must not stop verification of the rest.
      return: () => Promise.resolve(DONE),
    }),
  };
  await onPayload({ ...b, stream: view });
  while ((await verified.next()).done !== true);
}
