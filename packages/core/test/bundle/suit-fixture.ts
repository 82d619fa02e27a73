/**
 * Bundles with real signed SUIT envelopes, and the one place that turns a verified SUIT
 * manifest into the components a bundle carries (for simple manifests whose shared
 * sequence sets image-digest and image-size per component; the agent's processor does
 * this in general).
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import {
  buildManifest,
  imageDigest,
  signEnvelope,
  softwareSigner,
  suitCommand,
  verifyEnvelope,
  writeBundle,
} from '@cairn/core';
import type {
  BundleComponent,
  BundleManifest,
  DigestAlgorithm,
  SuitManifest,
  SignatureAlgorithm,
} from '@cairn/core';
import { chunked, collect } from '../stream/helpers.js';

export interface SignedFixture {
  readonly bundle: Uint8Array;
  readonly envelope: Uint8Array;
  readonly publicKey: KeyObject;
  readonly payloads: readonly Uint8Array[];
}

const SUIT_TO_STREAM: Readonly<Record<string, DigestAlgorithm>> = {
  sha256: 'sha-256',
  sha384: 'sha-384',
  sha512: 'sha-512',
};

/** Components with image digest + size from the shared sequence of a verified manifest. */
export function suitBundleManifest(
  manifest: SuitManifest,
): BundleManifest & { sequenceNumber: number | bigint } {
  const found = new Map<number, { digest?: BundleComponent['digest']; size?: number }>();
  let current: number[] = [];
  for (const cmd of manifest.common.sharedSequence?.commands ?? []) {
    if (cmd.name === 'set-component-index') {
      const idx = cmd.index;
      current =
        idx === true
          ? manifest.common.components.map((_, i) => i)
          : typeof idx === 'number'
            ? [idx]
            : [...idx];
    } else if (cmd.name === 'override-parameters' || cmd.name === 'set-parameters') {
      for (const i of current) {
        const entry = found.get(i) ?? {};
        const { imageDigest: d, imageSize } = cmd.parameters;
        const algorithm = d === undefined ? undefined : SUIT_TO_STREAM[d.algorithm];
        if (d !== undefined && algorithm !== undefined)
          entry.digest = { algorithm, value: d.value };
        if (imageSize !== undefined) entry.size = imageSize;
        found.set(i, entry);
      }
    }
  }
  const components: BundleComponent[] = [];
  for (const [index, e] of found) {
    if (e.digest !== undefined && e.size !== undefined)
      components.push({ index, digest: e.digest, size: e.size });
  }
  return { components, sequenceNumber: manifest.sequenceNumber };
}

/** A verifier for verifyBundle: real SUIT signature verification with `publicKey`. */
export function suitVerifier(publicKey: KeyObject) {
  return (envelope: Uint8Array): BundleManifest & { sequenceNumber: number | bigint } =>
    suitBundleManifest(verifyEnvelope(envelope, { keys: [publicKey] }).manifest);
}

/** Sign a two-component manifest for `payloads` and write the bundle. */
export async function signedBundle(
  payloads: readonly Uint8Array[],
  opts: { alg: SignatureAlgorithm; privateKey?: KeyObject; sequenceNumber?: number },
): Promise<SignedFixture> {
  const privateKey =
    opts.privateKey ??
    (opts.alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('ed25519')
    ).privateKey;
  const shared = payloads.flatMap((p, i) => [
    suitCommand.setComponentIndex(i),
    suitCommand.overrideParameters({ imageDigest: imageDigest(p), imageSize: p.length }),
  ]);
  const built = buildManifest({
    sequenceNumber: opts.sequenceNumber ?? 7,
    components: payloads.map((_, i) => [Buffer.from(`slot-${i}`)]),
    sharedSequence: shared,
    validate: [suitCommand.setComponentIndex(true), suitCommand.condition('image-match')],
  });
  const envelope = await signEnvelope({
    manifest: built,
    signer: softwareSigner(privateKey, opts.alg),
  });
  const bundle = await collect(
    writeBundle({
      envelope,
      payloads: payloads.map((p, i) => ({
        componentIndex: i,
        size: p.length,
        source: chunked(p, [64]),
      })),
    }),
  );
  return { bundle, envelope, publicKey: createPublicKey(privateKey), payloads };
}
