import { createHash, KeyObject } from 'node:crypto';
import {
  buildFirmwareManifest,
  signEnvelope,
  softwareSigner,
  writeBundle,
  type Signer,
} from '@cairn/core';
import { buildTestChain, type TestChain, type TestChainOptions, type TestKeyAlg } from './certs.js';

/** A product with a signing chain: everything needed to make signed `.cairn` bundles. */
export interface FirmwareFixture {
  readonly chain: TestChain;
  readonly vendorId: Uint8Array;
  readonly classId: Uint8Array;
  /** The device's trust anchor: the root certificate (PEM). */
  readonly anchorPem: string;
  /** Signs with the code-signing leaf's key. */
  readonly signer: Signer;
}

export interface TestBundleOptions {
  readonly sequenceNumber: number | bigint;
  readonly payload: Uint8Array;
  readonly version?: string;
  readonly vendorId?: Uint8Array;
  readonly classId?: Uint8Array;
  /** Sign with another signer / chain (e.g. an unanchored key); `null` leaves it unsigned. */
  readonly signer?: Signer | null;
  /** The x5chain header; `null` signs without one (a bare key, e.g. key-pinned devices). */
  readonly x5chain?: readonly Uint8Array[] | null;
  /** Declare this digest/size in the manifest instead of the payload's own. */
  readonly declaredSha256?: Uint8Array;
  readonly declaredSize?: number;
  readonly proof?: string;
}

/** UUIDs of the test product (fixed: tests and the demo agree on them). */
export const TEST_VENDOR_ID = Uint8Array.from(
  Buffer.from('fa6b4a53d5ad5fdfbe9de663e4d41ffe', 'hex'),
);
export const TEST_CLASS_ID = Uint8Array.from(
  Buffer.from('1492af1425695e48bf429b2d51f2ab45', 'hex'),
);

export async function createFirmwareFixture(
  opts: { alg?: TestKeyAlg; chain?: TestChainOptions } = {},
): Promise<FirmwareFixture> {
  const chain = await buildTestChain({ ...(opts.alg ? { alg: opts.alg } : {}), ...opts.chain });
  const signer = softwareSigner(KeyObject.from(chain.leaf.key.pair.privateKey));
  return {
    chain,
    vendorId: TEST_VENDOR_ID,
    classId: TEST_CLASS_ID,
    anchorPem: chain.root.pem,
    signer,
  };
}

async function* once(b: Uint8Array): AsyncIterable<Uint8Array> {
  await Promise.resolve();
  yield b;
}

/** A signed envelope for one payload, in the Cairn firmware profile. */
export async function makeTestEnvelope(
  fx: FirmwareFixture,
  o: TestBundleOptions,
): Promise<Uint8Array> {
  const sha256 = o.declaredSha256 ?? createHash('sha256').update(o.payload).digest();
  const built = buildFirmwareManifest({
    sequenceNumber: o.sequenceNumber,
    vendorId: o.vendorId ?? fx.vendorId,
    classId: o.classId ?? fx.classId,
    components: [{ id: ['rootfs'], sha256, size: o.declaredSize ?? o.payload.length }],
    ...(o.version === undefined ? {} : { version: o.version }),
  });
  if (o.signer === null) {
    const { buildEnvelope, encodeEnvelope } = await import('@cairn/core');
    return encodeEnvelope(buildEnvelope({ manifest: built.manifest, severed: built.severed }));
  }
  return signEnvelope({
    manifest: built,
    signer: o.signer ?? fx.signer,
    ...(o.x5chain === null ? {} : { x5chain: o.x5chain ?? fx.chain.chain }),
  });
}

/** A whole signed `.cairn` bundle in memory (small payloads). */
export async function makeTestBundle(
  fx: FirmwareFixture,
  o: TestBundleOptions,
): Promise<Uint8Array> {
  const envelope = await makeTestEnvelope(fx, o);
  const parts: Uint8Array[] = [];
  for await (const chunk of writeBundle({
    envelope,
    ...(o.proof === undefined ? {} : { proof: o.proof }),
    payloads: [{ componentIndex: 0, size: o.payload.length, source: once(o.payload) }],
  })) {
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}
