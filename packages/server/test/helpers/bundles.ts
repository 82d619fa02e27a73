/** Signed .cairn bundles for server tests, built with @cairn/core and a software key. */
import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import {
  buildManifest,
  encodeEnvelope,
  buildEnvelope,
  imageDigest,
  parseUuid,
  signEnvelope,
  softwareSigner,
  suitCommand,
  writeBundle,
} from '@cairn/core';
import type { Signer } from '@cairn/core';
import type { TestCert } from '@cairn/testkit';

export const VENDOR_ID = 'fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe';
export const CLASS_ID = '1492af14-2569-5e48-bf42-9b2d51f2ab45';
export const OTHER_CLASS_ID = '2c3a1b6e-7b44-5b6f-9b5a-5f3c8f0c2d11';

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly signer: Signer;
  readonly publicPem: string;
  /** SPKI SHA-256 pin, hex. */
  readonly pin: string;
}

export function newSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return {
    privateKey,
    signer: softwareSigner(privateKey, 'ES256'),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    pin: createHash('sha256').update(spki).digest('hex'),
  };
}

export function keyFromCert(cert: TestCert): KeyObject {
  return createPrivateKey(cert.key.privatePem);
}

export interface BundleSpec {
  readonly sequence: number;
  readonly payload: Uint8Array;
  readonly signer?: Signer;
  readonly x5chain?: readonly Uint8Array[];
  readonly vendorId?: string;
  readonly classId?: string;
  /** Leave the envelope without an authentication block. */
  readonly unsigned?: boolean;
}

export async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c);
  return new Uint8Array(Buffer.concat(parts));
}

export async function makeBundle(spec: BundleSpec): Promise<Uint8Array> {
  const manifest = buildManifest({
    sequenceNumber: spec.sequence,
    components: [[new Uint8Array(Buffer.from('fw'))]],
    sharedSequence: [
      suitCommand.overrideParameters({
        vendorId: { uuid: parseUuid(spec.vendorId ?? VENDOR_ID) },
        classId: parseUuid(spec.classId ?? CLASS_ID),
        imageDigest: imageDigest(spec.payload),
        imageSize: spec.payload.length,
      }),
    ],
    validate: [suitCommand.condition('image-match')],
  });
  let envelope: Uint8Array;
  if (spec.unsigned === true) {
    envelope = encodeEnvelope(
      buildEnvelope({ manifest: manifest.manifest, severed: manifest.severed }),
    );
  } else {
    if (spec.signer === undefined) throw new Error('makeBundle needs a signer');
    envelope = await signEnvelope({
      manifest,
      signer: spec.signer,
      ...(spec.x5chain === undefined ? {} : { x5chain: spec.x5chain }),
    });
  }
  async function* source(): AsyncGenerator<Uint8Array> {
    await Promise.resolve();
    yield spec.payload;
  }
  return collect(
    writeBundle({
      envelope,
      payloads: [{ componentIndex: 0, size: spec.payload.length, source: source() }],
    }),
  );
}

export async function* chunks(bytes: Uint8Array, size = 4096): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) {
    await Promise.resolve();
    yield bytes.subarray(i, i + size);
  }
}
