import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { spkiSha256, toTrustStore } from './anchors.js';
import type { TrustAnchor, TrustStore } from './anchors.js';
import { toHex } from './bytes.js';
import { verifyCertificateChain } from './chain.js';
import type { VerifiedChain } from './chain.js';
import { TrustError } from './errors.js';
import type { RevocationList } from './revocation.js';

export interface ResolveSigningKeyOptions {
  /** COSE x5chain (DER, leaf first). When present, chain verification decides. */
  readonly x5chain?: readonly Uint8Array[];
  /** COSE kid: names a key anchor by its `kid` or its SPKI SHA-256. */
  readonly kid?: Uint8Array;
  /** A raw public key (DER SPKI or KeyObject) that must itself be pinned. */
  readonly key?: Uint8Array | KeyObject;
  readonly anchors: TrustStore | readonly TrustAnchor[];
  /** Reference time for chain verification. */
  readonly at: Date;
  readonly revoked?: RevocationList;
  readonly requireCodeSigning?: boolean;
  readonly maxChainLength?: number;
}

export interface ResolvedSigningKey {
  readonly mode: 'x5chain' | 'pinned-key';
  readonly publicKey: KeyObject;
  readonly spki: Uint8Array;
  readonly anchor: TrustAnchor;
  /** The verified chain when mode is 'x5chain'. */
  readonly chain: VerifiedChain | undefined;
}

/**
 * Pick the key that must verify a signature: an x5chain goes through
 * `verifyCertificateChain`; otherwise (devices without X.509) the raw key, or the key
 * anchor named by `kid`, must be pinned: KEY_NOT_PINNED if not, NO_SIGNING_KEY if
 * nothing identifies a key.
 */
export function resolveSigningKey(options: ResolveSigningKeyOptions): ResolvedSigningKey {
  if (options.x5chain !== undefined) {
    const chain = verifyCertificateChain({
      chain: options.x5chain,
      anchors: options.anchors,
      at: options.at,
      ...(options.revoked === undefined ? {} : { revoked: options.revoked }),
      ...(options.requireCodeSigning === undefined
        ? {}
        : { requireCodeSigning: options.requireCodeSigning }),
      ...(options.maxChainLength === undefined ? {} : { maxChainLength: options.maxChainLength }),
    });
    return Object.freeze({
      mode: 'x5chain',
      publicKey: chain.publicKey,
      spki: chain.spki,
      anchor: chain.anchor,
      chain,
    });
  }
  const store = toTrustStore(options.anchors);
  if (options.key !== undefined) {
    const key = importKey(options.key);
    const spki = new Uint8Array(
      options.key instanceof Uint8Array ? options.key : key.export({ format: 'der', type: 'spki' }),
    );
    const anchor = store.find(spki);
    if (anchor === undefined) {
      throw new TrustError(
        'KEY_NOT_PINNED',
        `the signing key (SPKI SHA-256 ${toHex(spkiSha256(spki))}) matches none of the ${store.size} trust anchor(s); provision its pin or sign with a pinned key`,
      );
    }
    return Object.freeze({ mode: 'pinned-key', publicKey: key, spki, anchor, chain: undefined });
  }
  if (options.kid !== undefined) {
    const anchor = store.findByKid(options.kid);
    if (anchor === undefined) {
      throw new TrustError(
        'KEY_NOT_PINNED',
        `kid ${toHex(options.kid)} names none of the device's key anchors; provision the signing key as an anchor (kid = its SPKI SHA-256 or an explicit kid)`,
      );
    }
    return Object.freeze({
      mode: 'pinned-key',
      publicKey: anchor.key,
      spki: anchor.spki,
      anchor,
      chain: undefined,
    });
  }
  throw new TrustError(
    'NO_SIGNING_KEY',
    'the signature carries neither an x5chain nor a kid, so no signing key can be chosen; sign with x5chain or kid set',
  );
}

function importKey(key: Uint8Array | KeyObject): KeyObject {
  if (!(key instanceof Uint8Array)) {
    if (key.type !== 'public') {
      throw new TrustError('KEY_NOT_PINNED', `expected a public key, got a ${key.type} key`);
    }
    return key;
  }
  try {
    return createPublicKey({ key: Buffer.from(key), format: 'der', type: 'spki' });
  } catch (err) {
    throw new TrustError(
      'KEY_NOT_PINNED',
      `the raw signing key is not a DER SubjectPublicKeyInfo (${err instanceof Error ? err.message : String(err)})`,
      { cause: err },
    );
  }
}
