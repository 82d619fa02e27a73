import type { KeyObject } from 'node:crypto';
import { isCairnError } from '../errors/base-error.js';
import { coseHeaders, decodeCoseSign1, signCoseSign1, verifyCoseSign1 } from '../cose/sign1.js';
import type { CoseHeaderSummary } from '../cose/headers.js';
import type { SignatureAlgorithm, Signer } from '../crypto/signer.js';
import type { DigestAlgorithmName } from './constants.js';
import { buildEnvelope, type BuiltManifest } from './build.js';
import { decodeEnvelope, encodeEnvelope, type DecodeEnvelopeOptions } from './envelope.js';
import { SuitError } from './errors.js';
import type { SuitEnvelope, SuitManifest } from './types.js';

export type SuitKey = KeyObject | Uint8Array | string;

export interface SignEnvelopeOptions {
  /** The manifest to sign: a built manifest (with its severed members) or a decoded one. */
  readonly manifest: BuiltManifest | SuitManifest;
  readonly signer: Signer;
  /** COSE kid (unprotected). */
  readonly kid?: Uint8Array;
  /** Signing certificate chain, leaf first (DER), put in the protected x5chain header. */
  readonly x5chain?: readonly Uint8Array[];
  readonly integrated?: ReadonlyMap<string, Uint8Array>;
  /** Further signatures to keep (e.g. from another authority over the same digest). */
  readonly extraBlocks?: readonly Uint8Array[];
  readonly digestAlgorithm?: DigestAlgorithmName;
}

/**
 * Sign a manifest: SUIT_Digest over the manifest bstr, COSE_Sign1 (detached) over the
 * encoded SUIT_Digest, assembled into an envelope (canonical key order). Returns its bytes.
 */
export async function signEnvelope(opts: SignEnvelopeOptions): Promise<Uint8Array> {
  const built: BuiltManifest =
    'manifest' in opts.manifest ? opts.manifest : { manifest: opts.manifest, severed: new Map() };
  const unsigned = buildEnvelope({
    manifest: built.manifest,
    severed: built.severed,
    ...(opts.integrated === undefined ? {} : { integrated: opts.integrated }),
    ...(opts.digestAlgorithm === undefined ? {} : { digestAlgorithm: opts.digestAlgorithm }),
  });
  const block = await signCoseSign1({
    payload: unsigned.authentication.digest.bytes,
    detached: true,
    signer: opts.signer,
    ...(opts.kid === undefined ? {} : { kid: opts.kid }),
    ...(opts.x5chain === undefined ? {} : { x5chain: [...opts.x5chain] }),
  });
  const signed = buildEnvelope({
    manifest: built.manifest,
    severed: built.severed,
    blocks: [block, ...(opts.extraBlocks ?? [])],
    ...(opts.integrated === undefined ? {} : { integrated: opts.integrated }),
    ...(opts.digestAlgorithm === undefined ? {} : { digestAlgorithm: opts.digestAlgorithm }),
  });
  return encodeEnvelope(signed);
}

/** What `resolveKey` may return: key material, or an object holding it (e.g. resolveSigningKey's result). */
export type ResolvedKey = SuitKey | { readonly publicKey: SuitKey };

export interface VerifyEnvelopeOptions {
  /** Candidate public keys (PEM, DER SPKI or KeyObject); each block is tried against each. */
  readonly keys?: readonly SuitKey[];
  /**
   * Pick the key for one authentication block from its COSE headers (kid, x5chain): plug in
   * `resolveSigningKey` from trust/ for anchors and chains. Throw to reject the block.
   */
  readonly resolveKey?: (headers: CoseHeaderSummary, blockIndex: number) => ResolvedKey;
  readonly allowedAlgorithms?: readonly SignatureAlgorithm[];
  readonly decode?: DecodeEnvelopeOptions;
}

export interface BlockFailure {
  readonly blockIndex: number;
  readonly code: string;
  readonly message: string;
}

export interface VerifiedEnvelope {
  readonly envelope: SuitEnvelope;
  readonly manifest: SuitManifest;
  /** The block that verified, with its headers. */
  readonly blockIndex: number;
  readonly alg: SignatureAlgorithm;
  readonly kid?: Uint8Array;
  readonly x5chain?: readonly Uint8Array[];
  /** Index into `keys` of the key that verified; undefined when `resolveKey` supplied it. */
  readonly keyIndex: number | undefined;
  /** What `resolveKey` returned for the verifying block. */
  readonly resolved: ResolvedKey | undefined;
  /** Blocks that did not verify (unknown kind, bad signature, key not resolvable). */
  readonly failures: readonly BlockFailure[];
}

function failure(blockIndex: number, err: unknown): BlockFailure {
  if (isCairnError(err)) return { blockIndex, code: err.code, message: err.message };
  throw err;
}

/**
 * Verify an envelope: decode (manifest digest and severed digests checked), then at least
 * one authentication block must verify over the SUIT_Digest with a key from `keys` or
 * `resolveKey`. SUIT_NOT_SIGNED without blocks, SUIT_SIGNATURE_INVALID (listing every
 * block's reason in details.failures) when none verifies.
 */
export function verifyEnvelope(
  input: Uint8Array | SuitEnvelope,
  opts: VerifyEnvelopeOptions,
): VerifiedEnvelope {
  if (opts.keys === undefined && opts.resolveKey === undefined) {
    throw new SuitError(
      'SUIT_SIGNATURE_INVALID',
      'verifyEnvelope needs keys or resolveKey: nothing to verify with',
    );
  }
  const envelope = input instanceof Uint8Array ? decodeEnvelope(input, opts.decode) : input;
  const { blocks, digest } = envelope.authentication;
  if (blocks.length === 0) {
    throw new SuitError(
      'SUIT_NOT_SIGNED',
      'the envelope carries no authentication block; sign it before distributing it',
    );
  }
  const failures: BlockFailure[] = [];
  const allowed =
    opts.allowedAlgorithms === undefined ? {} : { allowedAlgorithms: opts.allowedAlgorithms };
  for (const [blockIndex, block] of blocks.entries()) {
    let headers: CoseHeaderSummary;
    let msg;
    try {
      msg = decodeCoseSign1(block);
      headers = coseHeaders(msg);
    } catch (err) {
      failures.push(failure(blockIndex, err));
      continue;
    }
    const candidates: {
      key: SuitKey;
      keyIndex: number | undefined;
      resolved: ResolvedKey | undefined;
    }[] = [];
    if (opts.resolveKey !== undefined) {
      try {
        const resolved = opts.resolveKey(headers, blockIndex);
        const key =
          typeof resolved === 'object' && 'publicKey' in resolved ? resolved.publicKey : resolved;
        candidates.push({ key, keyIndex: undefined, resolved });
      } catch (err) {
        failures.push(failure(blockIndex, err));
      }
    }
    for (const [keyIndex, key] of (opts.keys ?? []).entries()) {
      candidates.push({ key, keyIndex, resolved: undefined });
    }
    for (const c of candidates) {
      try {
        const h = verifyCoseSign1({
          cose: msg,
          detachedPayload: digest.bytes,
          key: c.key,
          ...allowed,
        });
        return {
          envelope,
          manifest: envelope.manifest,
          blockIndex,
          alg: h.alg,
          ...(h.kid === undefined ? {} : { kid: h.kid }),
          ...(h.x5chain === undefined ? {} : { x5chain: h.x5chain }),
          keyIndex: c.keyIndex,
          resolved: c.resolved,
          failures,
        };
      } catch (err) {
        failures.push(failure(blockIndex, err));
      }
    }
  }
  const summary = failures.map((f) => `block ${f.blockIndex}: ${f.code}`).join('; ');
  throw new SuitError(
    'SUIT_SIGNATURE_INVALID',
    `no authentication block verified with the given keys (${summary || 'no candidate key'}); check the key or trust anchors`,
    { details: { failures } },
  );
}
