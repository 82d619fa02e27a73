import assert from 'node:assert/strict';
import { decodeEnvelope, parseUuid, type SuitEnvelope } from '@cairn/core';
import {
  loadSuitExamples,
  MemorySuitPlatform,
  suitTestPayload,
  type MemorySuitPlatformOptions,
} from '@cairn/testkit';

export const VENDOR = parseUuid('fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe');
export const CLASS = parseUuid('1492af14-2569-5e48-bf42-9b2d51f2ab45');
export const OTHER = parseUuid('00000000-0000-5000-8000-000000000000');
export const DIGEST_A = new Uint8Array(
  Buffer.from('00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210', 'hex'),
);
export const DIGEST_B = new Uint8Array(
  Buffer.from('0123456789abcdeffedcba987654321000112233445566778899aabbccddeeff', 'hex'),
);
/** Stand-ins for the draft's images: sizes from the examples, digests recorded as measurements. */
export const IMAGE_A = suitTestPayload(34768, 1);
export const IMAGE_B = suitTestPayload(76834, 2);

export function exampleEnvelope(n: number): SuitEnvelope {
  const e = loadSuitExamples().find((x) => x.name === `example${n}`);
  assert.ok(e);
  return decodeEnvelope(e.envelope);
}

export function examplePlatform(opts: Partial<MemorySuitPlatformOptions> = {}): MemorySuitPlatform {
  return new MemorySuitPlatform({
    identity: { vendorIds: [VENDOR], classIds: [CLASS] },
    measurements: [
      { content: IMAGE_A, algorithm: 'sha256', digest: DIGEST_A },
      { content: IMAGE_B, algorithm: 'sha256', digest: DIGEST_B },
    ],
    ...opts,
  });
}
