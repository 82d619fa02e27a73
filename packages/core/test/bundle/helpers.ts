import { createHash } from 'node:crypto';
import { encodeBundleHead, formatTlogProof, writeBundle } from '@cairn/core';
import type { BundleManifest, BundlePayloadInput, WriteBundleInput } from '@cairn/core';
import { chunked, collect, sha256 } from '../stream/helpers.js';

/** A syntactically valid c2sp tlog-proof (not verifiable: the checkpoint is a dummy). */
export const DUMMY_PROOF = formatTlogProof({
  index: 3,
  inclusionProof: [new Uint8Array(32)],
  checkpoint:
    'example.com/log\n4\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— example.com/log AAAAAQ==\n',
});

/** Stand-in envelope bytes for tests that do not verify signatures. */
export const FAKE_ENVELOPE = Uint8Array.from(Buffer.from('d86ba0', 'hex'));

export interface TestPayload {
  readonly componentIndex: number;
  readonly bytes: Uint8Array;
}

/** Write a bundle into memory; returns its bytes and the matching manifest components. */
export async function makeBundle(
  payloads: readonly TestPayload[],
  extra: Partial<Omit<WriteBundleInput, 'payloads'>> = {},
): Promise<{ bytes: Uint8Array; manifest: BundleManifest; headLength: number }> {
  const input: WriteBundleInput = {
    envelope: FAKE_ENVELOPE,
    ...extra,
    payloads: payloads.map((p): BundlePayloadInput => ({
      componentIndex: p.componentIndex,
      size: p.bytes.length,
      source: chunked(p.bytes, [7, 1000]),
    })),
  };
  const bytes = await collect(writeBundle(input));
  const head = encodeBundleHead({
    envelope: input.envelope,
    payloads: payloads.map((p) => ({ componentIndex: p.componentIndex, size: p.bytes.length })),
    ...(input.proof === undefined
      ? {}
      : { proof: typeof input.proof === 'string' ? Buffer.from(input.proof) : input.proof }),
    ...(input.metadata === undefined ? {} : { metadata: new Map(Object.entries(input.metadata)) }),
  });
  return { bytes, manifest: manifestFor(payloads), headLength: head.length };
}

export function manifestFor(payloads: readonly TestPayload[]): BundleManifest {
  return {
    components: payloads.map((p) => ({
      index: p.componentIndex,
      digest: sha256(p.bytes),
      size: p.bytes.length,
    })),
  };
}

/** Wrap arbitrary header bytes in a valid preamble and checksum (what an attacker can do). */
export function frame(
  header: Uint8Array,
  payloadBytes: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const pre = Buffer.alloc(16);
  Buffer.from('CAIRN\x89\r\n', 'latin1').copy(pre, 0);
  pre.writeUInt16BE(1, 8);
  pre.writeUInt16BE(0, 10);
  pre.writeUInt32BE(header.length, 12);
  const sum = createHash('sha256').update(pre).update(header).digest();
  return new Uint8Array(Buffer.concat([pre, header, sum, payloadBytes]));
}

/** Recompute the header checksum of a (modified) bundle in place. */
export function refreshChecksum(bundle: Uint8Array): Uint8Array {
  const view = Buffer.from(bundle.buffer, bundle.byteOffset, bundle.length);
  const h = view.readUInt32BE(12);
  const sum = createHash('sha256')
    .update(view.subarray(0, 16 + h))
    .digest();
  sum.copy(view, 16 + h);
  return bundle;
}
