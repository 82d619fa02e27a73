/**
 * Opening a `.cairn` bundle from a stream: reads the bounded head (preamble, header,
 * checksum) and stops there, so the caller can verify the envelope before a single
 * payload byte is read; payloads are then streamed in table order.
 */
import { ByteReader } from '../stream/byte-reader.js';
import { StreamError } from '../stream/errors.js';
import { bundleError } from './errors.js';
import {
  BUNDLE_CHECKSUM_SIZE,
  BUNDLE_DEFAULT_MAX_HEADER_BYTES,
  BUNDLE_PREAMBLE_SIZE,
  equalBytes,
  headerChecksum,
  locatePayloads,
  parseBundleHeader,
  parsePreamble,
} from './format.js';
import type { LocatedPayloadEntry } from './format.js';

export interface OpenBundleOptions {
  /** Cap on the header length; default 1 MiB. Devices should pass less (e.g. 128 KiB). */
  readonly maxHeaderBytes?: number;
  readonly signal?: AbortSignal;
}

export interface BundlePayload {
  readonly componentIndex: number;
  readonly size: number;
  readonly offset: number;
  /** Exactly `size` bytes; must be read before the next payload is requested. */
  readonly stream: AsyncIterable<Uint8Array>;
}

export interface OpenedBundle {
  readonly version: number;
  readonly flags: number;
  readonly headerLength: number;
  readonly envelope: Uint8Array;
  readonly proof?: Uint8Array;
  readonly metadata?: ReadonlyMap<string, string>;
  readonly payloadTable: readonly LocatedPayloadEntry[];
  /**
   * The payloads in table order. Moving to the next one skips what the previous stream
   * left unread. After the last one, the end of input is checked
   * (`BUNDLE_TRAILING_DATA`). Callable once.
   */
  payloads(): AsyncIterable<BundlePayload>;
  /** Release the source (calls its iterator's `return`). */
  close(): Promise<void>;
}

/** Which step is reading, so a truncation is reported as that step's. */
interface ReadState {
  step: number;
}

function truncation(state: ReadState): (err: StreamError) => Error {
  return (err) =>
    bundleError(state.step, 'BUNDLE_TRUNCATED', `bundle is truncated: ${err.message}`, {
      cause: err,
    });
}

/** Steps 1–3: preamble, header checksum, header. Reads no payload byte. */
export async function openBundle(
  source: AsyncIterable<Uint8Array>,
  opts: OpenBundleOptions = {},
): Promise<OpenedBundle> {
  const state: ReadState = { step: 1 };
  const reader = new ByteReader(source, {
    onTruncated: truncation(state),
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  });
  try {
    return await openWith(reader, state, opts.maxHeaderBytes ?? BUNDLE_DEFAULT_MAX_HEADER_BYTES);
  } catch (err) {
    await reader.close().catch(() => undefined);
    throw err;
  }
}

async function openWith(
  reader: ByteReader,
  state: ReadState,
  maxHeaderBytes: number,
): Promise<OpenedBundle> {
  const head = await reader.readExactly(BUNDLE_PREAMBLE_SIZE, BUNDLE_PREAMBLE_SIZE, 'the preamble');
  const preamble = parsePreamble(head, maxHeaderBytes);
  state.step = 2;
  const rest = preamble.headerLength + BUNDLE_CHECKSUM_SIZE;
  const headerAndSum = await reader.readExactly(rest, rest, 'the header and its checksum');
  const header = headerAndSum.subarray(0, preamble.headerLength);
  const checksum = headerAndSum.subarray(preamble.headerLength);
  const whole = new Uint8Array(BUNDLE_PREAMBLE_SIZE + preamble.headerLength);
  whole.set(head, 0);
  whole.set(header, BUNDLE_PREAMBLE_SIZE);
  if (!equalBytes(headerChecksum(whole), checksum)) {
    throw bundleError(
      2,
      'BUNDLE_HEADER_CORRUPT',
      'header checksum does not match: the file is damaged (re-download or re-copy it)',
    );
  }
  const parsed = parseBundleHeader(header);
  const table = locatePayloads(parsed.payloads, preamble.headerLength);
  let started = false;
  return {
    version: preamble.version,
    flags: preamble.flags,
    headerLength: preamble.headerLength,
    envelope: parsed.envelope,
    ...(parsed.proof === undefined ? {} : { proof: parsed.proof }),
    ...(parsed.metadata === undefined ? {} : { metadata: parsed.metadata }),
    payloadTable: table,
    payloads() {
      if (started) {
        throw new StreamError('STREAM_OUT_OF_ORDER', 'payloads() of a bundle can be read once');
      }
      started = true;
      state.step = 7;
      return payloadsOf(reader, table);
    },
    close: () => reader.close(),
  };
}

async function* payloadsOf(
  reader: ByteReader,
  table: readonly LocatedPayloadEntry[],
): AsyncGenerator<BundlePayload, void, undefined> {
  try {
    for (const entry of table) {
      const stream = reader.take(entry.size, `payload of component ${entry.componentIndex}`);
      yield { ...entry, stream };
    }
    if (!(await reader.atEnd())) {
      throw bundleError(
        8,
        'BUNDLE_TRAILING_DATA',
        `unexpected bytes after the last payload (at byte ${reader.position})`,
        { details: { offset: reader.position } },
      );
    }
  } catch (err) {
    await reader.close().catch(() => undefined);
    throw err;
  }
}
