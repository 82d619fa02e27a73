/**
 * The `.cairn` bundle layout (docs/formats/bundle.md is the normative description):
 *
 *   offset 0   8 bytes  magic  43 41 49 52 4E 89 0D 0A  ("CAIRN", 0x89, CR, LF)
 *   offset 8   u16 BE   format version (1)
 *   offset 10  u16 BE   flags (none defined in version 1: must be 0)
 *   offset 12  u32 BE   header length H
 *   offset 16  H bytes  header: deterministic CBOR map
 *   16 + H     32 bytes SHA-256(preamble ‖ header)
 *   48 + H     payloads, concatenated in payload-table order, no padding
 */
import { createHash } from 'node:crypto';
import { decodeCbor } from '../cbor/decode.js';
import { encodeCbor } from '../cbor/encode.js';
import { CborMap } from '../cbor/types.js';
import type { CborValue } from '../cbor/types.js';
import { parseTlogProof } from '../transparency/tlog-proof.js';
import { bundleError } from './errors.js';

export const BUNDLE_MAGIC: Uint8Array = Uint8Array.of(
  0x43,
  0x41,
  0x49,
  0x52,
  0x4e,
  0x89,
  0x0d,
  0x0a,
);
export const BUNDLE_FORMAT_VERSION = 1;
export const BUNDLE_PREAMBLE_SIZE = 16;
export const BUNDLE_CHECKSUM_SIZE = 32;
/** Default (and writer) cap on the header; devices may pass a smaller `maxHeaderBytes`. */
export const BUNDLE_DEFAULT_MAX_HEADER_BYTES = 1024 * 1024;
export const BUNDLE_MAX_PAYLOADS = 16;
export const BUNDLE_MAX_COMPONENT_INDEX = 0xffff;
export const BUNDLE_MAX_METADATA_ENTRIES = 32;

/** Header map keys. */
export const BundleKey = Object.freeze({
  envelope: 1,
  proof: 2,
  payloads: 3,
  metadata: 4,
} as const);

export interface BundlePayloadEntry {
  /** Index of the SUIT component this payload is the image of. */
  readonly componentIndex: number;
  /** Exact payload length in bytes. */
  readonly size: number;
}

/** A payload table entry with its absolute byte offset in the bundle. */
export interface LocatedPayloadEntry extends BundlePayloadEntry {
  readonly offset: number;
}

export interface BundleHeader {
  /** The SUIT envelope, verbatim (tag 107). */
  readonly envelope: Uint8Array;
  /** A c2sp.org/tlog-proof for the envelope, UTF-8 text as bytes. */
  readonly proof?: Uint8Array;
  readonly payloads: readonly BundlePayloadEntry[];
  /** Unsigned, informational only: never base a decision on it. */
  readonly metadata?: ReadonlyMap<string, string>;
}

export interface Preamble {
  readonly version: number;
  readonly flags: number;
  readonly headerLength: number;
}

/** Encodes the header map (deterministic CBOR: shortest forms, sorted keys). */
export function encodeBundleHeader(header: BundleHeader): Uint8Array {
  const map = new CborMap();
  map.set(BundleKey.envelope, header.envelope);
  if (header.proof !== undefined) map.set(BundleKey.proof, header.proof);
  map.set(
    BundleKey.payloads,
    header.payloads.map((p) => [p.componentIndex, p.size]),
  );
  if (header.metadata !== undefined && header.metadata.size > 0) {
    map.set(BundleKey.metadata, new CborMap([...header.metadata]));
  }
  return encodeCbor(map, { canonical: true });
}

/** Preamble + header + checksum: everything before the first payload byte. */
export function encodeBundleHead(header: BundleHeader): Uint8Array {
  const body = encodeBundleHeader(header);
  const out = new Uint8Array(BUNDLE_PREAMBLE_SIZE + body.length + BUNDLE_CHECKSUM_SIZE);
  const view = new DataView(out.buffer);
  out.set(BUNDLE_MAGIC, 0);
  view.setUint16(8, BUNDLE_FORMAT_VERSION);
  view.setUint16(10, 0);
  view.setUint32(12, body.length);
  out.set(body, BUNDLE_PREAMBLE_SIZE);
  out.set(headerChecksum(out.subarray(0, BUNDLE_PREAMBLE_SIZE + body.length)), out.length - 32);
  return out;
}

export function headerChecksum(preambleAndHeader: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(preambleAndHeader).digest());
}

/** Step 1: magic, version, flags and the header length against `maxHeaderBytes`. */
export function parsePreamble(bytes: Uint8Array, maxHeaderBytes: number): Preamble {
  const view = new DataView(bytes.buffer, bytes.byteOffset, BUNDLE_PREAMBLE_SIZE);
  if (!BUNDLE_MAGIC.every((b, i) => bytes[i] === b)) {
    throw bundleError(
      1,
      'BUNDLE_BAD_MAGIC',
      'not a .cairn bundle (the first 8 bytes are not 43 41 49 52 4E 89 0D 0A); ' +
        'check the file, and that it was copied in binary mode',
    );
  }
  const version = view.getUint16(8);
  if (version !== BUNDLE_FORMAT_VERSION) {
    throw bundleError(
      1,
      'BUNDLE_UNSUPPORTED_VERSION',
      `format version ${version} is not supported (this reader implements version ` +
        `${BUNDLE_FORMAT_VERSION}); update the agent or rebuild the bundle`,
      { details: { version } },
    );
  }
  const flags = view.getUint16(10);
  if (flags !== 0) {
    throw bundleError(
      1,
      'BUNDLE_UNSUPPORTED_FLAGS',
      `flags 0x${flags.toString(16).padStart(4, '0')} set; version 1 defines no flags`,
      { details: { flags } },
    );
  }
  const headerLength = view.getUint32(12);
  if (headerLength > maxHeaderBytes) {
    throw bundleError(
      1,
      'BUNDLE_HEADER_TOO_LARGE',
      `header is ${headerLength} bytes, more than the cap of ${maxHeaderBytes}`,
      { details: { headerLength, maxHeaderBytes } },
    );
  }
  return { version, flags, headerLength };
}

function describeKey(k: CborValue): string {
  return typeof k === 'number' || typeof k === 'bigint' || typeof k === 'string'
    ? JSON.stringify(typeof k === 'bigint' ? k.toString() : k)
    : `of type ${k instanceof Uint8Array ? 'bytes' : typeof k}`;
}

function isUint(v: CborValue, max: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max;
}

/** Step 3: decode and validate the header map; every problem is reported at once. */
export function parseBundleHeader(bytes: Uint8Array): BundleHeader {
  let map: CborValue;
  try {
    map = decodeCbor(bytes, { maxDepth: 4, maxItems: 64 });
  } catch (err) {
    throw bundleError(3, 'BUNDLE_HEADER_INVALID', `header is not valid CBOR: ${String(err)}`, {
      cause: err,
    });
  }
  if (!(map instanceof CborMap)) {
    throw bundleError(3, 'BUNDLE_HEADER_INVALID', 'header is not a CBOR map');
  }
  const problems: string[] = [];
  for (const k of map.keys()) {
    if (!isUint(k, 4) || k === 0) problems.push(`unknown key ${describeKey(k)}`);
  }
  const envelope = map.get(BundleKey.envelope);
  if (!(envelope instanceof Uint8Array) || envelope.length === 0) {
    problems.push('key 1 (envelope) must be a non-empty byte string');
  }
  const proof = map.get(BundleKey.proof);
  if (proof !== undefined && !(proof instanceof Uint8Array)) {
    problems.push('key 2 (proof) must be a byte string');
  }
  const payloads = parsePayloadTable(map.get(BundleKey.payloads), problems);
  const metadata = parseMetadata(map.get(BundleKey.metadata), problems);
  if (problems.length === 0 && !equalBytes(encodeCbor(map, { canonical: true }), bytes)) {
    problems.push('not in deterministic encoding (map keys must be sorted)');
  }
  if (problems.length > 0 || !(envelope instanceof Uint8Array)) {
    throw bundleError(3, 'BUNDLE_HEADER_INVALID', problems.join('; '), {
      details: { problems },
    });
  }
  if (proof instanceof Uint8Array) {
    try {
      parseTlogProof(proof);
    } catch (err) {
      throw bundleError(3, 'BUNDLE_PROOF_INVALID', `transparency proof: ${String(err)}`, {
        cause: err,
      });
    }
  }
  return {
    envelope,
    ...(proof instanceof Uint8Array ? { proof } : {}),
    payloads,
    ...(metadata === undefined ? {} : { metadata }),
  };
}

function parsePayloadTable(table: CborValue, problems: string[]): BundlePayloadEntry[] {
  if (!Array.isArray(table)) {
    problems.push('key 3 (payload table) must be an array');
    return [];
  }
  if (table.length > BUNDLE_MAX_PAYLOADS) {
    problems.push(`payload table has ${table.length} entries, more than ${BUNDLE_MAX_PAYLOADS}`);
    return [];
  }
  const out: BundlePayloadEntry[] = [];
  let total = 0;
  table.forEach((entry, i) => {
    const [componentIndex, size] = Array.isArray(entry) ? entry : [];
    if (
      !Array.isArray(entry) ||
      entry.length !== 2 ||
      componentIndex === undefined ||
      size === undefined ||
      !isUint(componentIndex, BUNDLE_MAX_COMPONENT_INDEX) ||
      !isUint(size, Number.MAX_SAFE_INTEGER)
    ) {
      problems.push(`payload ${i} must be [component index (uint ≤ 65535), size (uint ≤ 2^53-1)]`);
      return;
    }
    const prev = out.at(-1);
    if (prev !== undefined && componentIndex <= prev.componentIndex) {
      problems.push(`payload ${i}: component indices must be strictly increasing`);
    }
    total += size;
    if (!Number.isSafeInteger(total)) problems.push('payload sizes add up to more than 2^53-1');
    out.push({ componentIndex, size });
  });
  return out;
}

function parseMetadata(
  meta: CborValue,
  problems: string[],
): ReadonlyMap<string, string> | undefined {
  if (meta === undefined) return undefined;
  if (!(meta instanceof CborMap) || meta.size === 0) {
    problems.push('key 4 (metadata) must be a non-empty map when present');
    return undefined;
  }
  if (meta.size > BUNDLE_MAX_METADATA_ENTRIES) {
    problems.push(`metadata has more than ${BUNDLE_MAX_METADATA_ENTRIES} entries`);
  }
  const out = new Map<string, string>();
  for (const [k, v] of meta) {
    if (typeof k !== 'string' || typeof v !== 'string') {
      problems.push('metadata keys and values must be text strings');
    } else out.set(k, v);
  }
  return out;
}

/** Absolute offsets of each payload, given the header length. */
export function locatePayloads(
  payloads: readonly BundlePayloadEntry[],
  headerLength: number,
): LocatedPayloadEntry[] {
  let offset = BUNDLE_PREAMBLE_SIZE + headerLength + BUNDLE_CHECKSUM_SIZE;
  return payloads.map((p) => {
    const located = { componentIndex: p.componentIndex, size: p.size, offset };
    offset += p.size;
    return located;
  });
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
