/** Writing a `.cairn` bundle as a stream: the bounded head, then each payload in turn. */
import { ValidationError } from '../errors/base-error.js';
import type { FieldIssue } from '../errors/base-error.js';
import { exactSizeStream, verifyStream } from '../stream/verify.js';
import type { PayloadDigest } from '../stream/verify.js';
import {
  BUNDLE_CHECKSUM_SIZE,
  BUNDLE_DEFAULT_MAX_HEADER_BYTES,
  BUNDLE_MAX_COMPONENT_INDEX,
  BUNDLE_MAX_METADATA_ENTRIES,
  BUNDLE_MAX_PAYLOADS,
  BUNDLE_PREAMBLE_SIZE,
  encodeBundleHead,
} from './format.js';
import type { BundleHeader } from './format.js';

export interface BundlePayloadInput {
  readonly componentIndex: number;
  readonly size: number | bigint;
  readonly source: AsyncIterable<Uint8Array>;
  /** When given, the payload is verified against it while it is written. */
  readonly digest?: PayloadDigest;
}

export interface WriteBundleInput {
  readonly envelope: Uint8Array;
  /** c2sp.org/tlog-proof text (UTF-8) for the envelope. */
  readonly proof?: Uint8Array | string;
  readonly metadata?: Readonly<Record<string, string>>;
  /** In strictly increasing component-index order. */
  readonly payloads: readonly BundlePayloadInput[];
  readonly signal?: AbortSignal;
}

/** Validates the input and builds the header model (throws ValidationError). */
export function bundleHeaderFor(
  input: Omit<WriteBundleInput, 'payloads' | 'signal'> & {
    readonly payloads: readonly Pick<BundlePayloadInput, 'componentIndex' | 'size'>[];
  },
): BundleHeader {
  const issues: FieldIssue[] = [];
  if (!(input.envelope instanceof Uint8Array) || input.envelope.length === 0) {
    issues.push({ path: 'envelope', problem: 'must be non-empty bytes' });
  }
  if (input.payloads.length > BUNDLE_MAX_PAYLOADS) {
    issues.push({ path: 'payloads', problem: `at most ${BUNDLE_MAX_PAYLOADS} payloads` });
  }
  let total = 0;
  const payloads = input.payloads.map((p, i) => {
    const idx = p.componentIndex;
    if (!Number.isSafeInteger(idx) || idx < 0 || idx > BUNDLE_MAX_COMPONENT_INDEX) {
      issues.push({ path: `payloads[${i}].componentIndex`, problem: 'must be 0..65535' });
    }
    const prev = input.payloads[i - 1];
    if (prev !== undefined && idx <= prev.componentIndex) {
      issues.push({
        path: `payloads[${i}].componentIndex`,
        problem: 'must be strictly increasing',
      });
    }
    const size = typeof p.size === 'bigint' ? Number(p.size) : p.size;
    if (!Number.isSafeInteger(size) || size < 0 || BigInt(size) !== BigInt(p.size)) {
      issues.push({ path: `payloads[${i}].size`, problem: 'must be an integer from 0 to 2^53-1' });
    }
    total += size;
    return { componentIndex: idx, size };
  });
  if (!Number.isSafeInteger(total)) {
    issues.push({ path: 'payloads', problem: 'sizes must add up to at most 2^53-1' });
  }
  const meta = input.metadata === undefined ? [] : Object.entries(input.metadata);
  if (meta.length > BUNDLE_MAX_METADATA_ENTRIES) {
    issues.push({ path: 'metadata', problem: `at most ${BUNDLE_MAX_METADATA_ENTRIES} entries` });
  }
  for (const [k, v] of meta) {
    if (typeof v !== 'string') issues.push({ path: `metadata.${k}`, problem: 'must be text' });
  }
  if (issues.length > 0) throw new ValidationError('bundle', issues);
  const proof =
    typeof input.proof === 'string' ? new TextEncoder().encode(input.proof) : input.proof;
  return {
    envelope: input.envelope,
    ...(proof === undefined ? {} : { proof }),
    payloads,
    ...(meta.length === 0 ? {} : { metadata: new Map(meta) }),
  };
}

/**
 * The bundle as a stream. Input is validated when called (ValidationError); each payload
 * source must deliver exactly its size (`PAYLOAD_TOO_LONG` / `PAYLOAD_TOO_SHORT`), and
 * its digest when one is given (`PAYLOAD_DIGEST_MISMATCH`).
 */
export function writeBundle(input: WriteBundleInput): AsyncIterable<Uint8Array> {
  const header = bundleHeaderFor(input);
  const head = encodeBundleHead(header);
  const headerLength = head.length - BUNDLE_PREAMBLE_SIZE - BUNDLE_CHECKSUM_SIZE;
  if (headerLength > BUNDLE_DEFAULT_MAX_HEADER_BYTES) {
    throw new ValidationError('bundle', [
      {
        path: 'envelope',
        problem: `header would be ${headerLength} bytes, over the ${BUNDLE_DEFAULT_MAX_HEADER_BYTES}-byte cap readers apply`,
      },
    ]);
  }
  return emit(head, input);
}

async function* emit(
  head: Uint8Array,
  input: WriteBundleInput,
): AsyncGenerator<Uint8Array, void, undefined> {
  yield head;
  for (const p of input.payloads) {
    const checked =
      p.digest === undefined
        ? exactSizeStream(p.source, p.size, input.signal)
        : verifyStream(p.source, {
            digest: p.digest,
            size: p.size,
            ...(input.signal === undefined ? {} : { signal: input.signal }),
          });
    yield* checked;
  }
}
