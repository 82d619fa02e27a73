import { createHash, createPublicKey } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { bytesEqual, toHex } from './bytes.js';
import { parseCertificate } from './certificate.js';
import { TrustError } from './errors.js';

/** SPKI SHA-256 pin: trusts any key whose DER SubjectPublicKeyInfo hashes to it. */
export interface PinAnchor {
  readonly kind: 'pin';
  readonly spkiSha256: Uint8Array;
  readonly label?: string;
  /** Optional COSE key id that names this anchor in key-pinned mode. */
  readonly kid?: Uint8Array;
}

/** A raw public key: can also verify a certificate issued outside the presented chain. */
export interface KeyAnchor {
  readonly kind: 'key';
  readonly spki: Uint8Array;
  readonly spkiSha256: Uint8Array;
  readonly key: KeyObject;
  readonly label?: string;
  readonly kid?: Uint8Array;
  /**
   * The anchor's own certificate (DER) when it was provisioned as one: chain
   * verification then applies its constraints (cA, keyUsage, pathLen, validity).
   */
  readonly certificate?: Uint8Array;
}

export type TrustAnchor = PinAnchor | KeyAnchor;

export interface AnchorOptions {
  readonly label?: string;
  readonly kid?: Uint8Array;
}

/** SHA-256 of a DER SubjectPublicKeyInfo: the value pins are made of. */
export function spkiSha256(spkiDer: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(spkiDer).digest());
}

/**
 * Parse a pin written as hex (64 digits, `:` or spaces allowed), base64/base64url
 * (43-44 chars) or `sha256/<base64>` (the HPKP form).
 */
export function parsePin(text: string): Uint8Array {
  const t = text.trim().replace(/^sha256\//i, '');
  const hex = t.replace(/[:\s]/g, '');
  let bytes: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(hex)) bytes = Buffer.from(hex, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) bytes = Buffer.from(t, 'base64');
  if (bytes?.length !== 32) {
    throw new TrustError(
      'ANCHOR_INVALID',
      `"${text.slice(0, 80)}" is not an SPKI SHA-256 pin; give 64 hex digits or 44 base64 characters (e.g. from \`openssl pkey -pubin -outform DER | openssl dgst -sha256\`)`,
    );
  }
  return new Uint8Array(bytes);
}

function withOptions<T extends TrustAnchor>(anchor: T, opts: AnchorOptions): T {
  const out: T = { ...anchor };
  if (opts.label !== undefined) Object.assign(out, { label: opts.label });
  if (opts.kid !== undefined) Object.assign(out, { kid: new Uint8Array(opts.kid) });
  return Object.freeze(out);
}

/** An anchor from a pin: 32 bytes, or text accepted by `parsePin`. */
export function anchorFromPin(pin: string | Uint8Array, opts: AnchorOptions = {}): PinAnchor {
  const bytes = typeof pin === 'string' ? parsePin(pin) : new Uint8Array(pin);
  if (bytes.length !== 32) {
    throw new TrustError('ANCHOR_INVALID', `an SPKI SHA-256 pin is 32 bytes, got ${bytes.length}`);
  }
  return withOptions({ kind: 'pin', spkiSha256: bytes }, opts);
}

/** An anchor from a public KeyObject. */
export function anchorFromKey(key: KeyObject, opts: AnchorOptions = {}): KeyAnchor {
  if (key.type !== 'public') {
    throw new TrustError(
      'ANCHOR_INVALID',
      `a trust anchor must be a public key, got a ${key.type} key; export the public part`,
    );
  }
  const spki = new Uint8Array(key.export({ format: 'der', type: 'spki' }));
  return withOptions({ kind: 'key', spki, spkiSha256: spkiSha256(spki), key }, opts);
}

/** An anchor from DER SubjectPublicKeyInfo bytes (kept byte-exact for pinning). */
export function anchorFromSpki(spkiDer: Uint8Array, opts: AnchorOptions = {}): KeyAnchor {
  const key = importPublic(() =>
    createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' }),
  );
  const spki = new Uint8Array(spkiDer);
  return withOptions({ kind: 'key', spki, spkiSha256: spkiSha256(spki), key }, opts);
}

/**
 * An anchor from a PEM `PUBLIC KEY`, or a `CERTIFICATE` (its subject key, and the
 * certificate itself so that its constraints apply).
 */
export function anchorFromPem(pem: string, opts: AnchorOptions = {}): KeyAnchor {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new TrustError(
      'ANCHOR_INVALID',
      'the PEM holds a private key; a trust anchor must be a public key or certificate (never ship private keys to devices)',
    );
  }
  const cert = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(pem);
  if (cert?.[1] !== undefined) {
    return anchorFromCertificate(new Uint8Array(Buffer.from(cert[1], 'base64')), opts);
  }
  return anchorFromKey(
    importPublic(() => createPublicKey(pem)),
    opts,
  );
}

/** An anchor from a DER certificate: its SPKI, plus the certificate for its constraints. */
export function anchorFromCertificate(der: Uint8Array, opts: AnchorOptions = {}): KeyAnchor {
  let spki: Uint8Array;
  try {
    spki = parseCertificate(der, 'trust anchor certificate').spki;
  } catch (err) {
    throw new TrustError(
      'ANCHOR_INVALID',
      `the trust anchor certificate cannot be read: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const anchor = anchorFromSpki(spki, opts);
  return Object.freeze({ ...anchor, certificate: new Uint8Array(der) });
}

/** An anchor from a public JWK (EC, OKP or RSA). */
export function anchorFromJwk(jwk: JsonWebKey, opts: AnchorOptions = {}): KeyAnchor {
  if ('d' in jwk) {
    throw new TrustError(
      'ANCHOR_INVALID',
      'the JWK holds private material ("d"); pass the public JWK',
    );
  }
  return anchorFromKey(
    importPublic(() => createPublicKey({ key: jwk, format: 'jwk' })),
    opts,
  );
}

function importPublic(make: () => KeyObject): KeyObject {
  try {
    return make();
  } catch (err) {
    throw new TrustError(
      'ANCHOR_INVALID',
      `could not read the public key: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

/** A set of trust anchors (per product, per usage), looked up by SPKI SHA-256. */
export class TrustStore {
  readonly #anchors: TrustAnchor[] = [];

  constructor(anchors: Iterable<TrustAnchor> = []) {
    for (const a of anchors) this.add(a);
  }

  add(anchor: TrustAnchor): this {
    if (anchor.spkiSha256.length !== 32) {
      throw new TrustError('ANCHOR_INVALID', 'an anchor SPKI SHA-256 must be 32 bytes');
    }
    this.#anchors.push(anchor);
    return this;
  }

  get size(): number {
    return this.#anchors.length;
  }

  list(): readonly TrustAnchor[] {
    return [...this.#anchors];
  }

  /** Anchors that carry a public key (able to verify a signature themselves). */
  keyAnchors(): readonly KeyAnchor[] {
    return this.#anchors.filter((a): a is KeyAnchor => a.kind === 'key');
  }

  /** The anchor for a DER SPKI, matched by its SHA-256. */
  find(spkiDer: Uint8Array): TrustAnchor | undefined {
    return this.findByHash(spkiSha256(spkiDer));
  }

  findByHash(hash: Uint8Array): TrustAnchor | undefined {
    return this.#anchors.find((a) => bytesEqual(a.spkiSha256, hash));
  }

  /** A key anchor named by a COSE kid: its `kid`, or its SPKI SHA-256. */
  findByKid(kid: Uint8Array): KeyAnchor | undefined {
    return this.keyAnchors().find(
      (a) => (a.kid !== undefined && bytesEqual(a.kid, kid)) || bytesEqual(a.spkiSha256, kid),
    );
  }

  isAnchored(spkiDer: Uint8Array): boolean {
    return this.find(spkiDer) !== undefined;
  }

  /** Hex pins of every anchor, for messages and diagnostics. */
  pins(): string[] {
    return this.#anchors.map((a) => toHex(a.spkiSha256));
  }
}

/** Accept either a store or a plain list wherever anchors are passed. */
export function toTrustStore(anchors: TrustStore | readonly TrustAnchor[]): TrustStore {
  return anchors instanceof TrustStore ? anchors : new TrustStore(anchors);
}

/** Whether a DER SPKI is anchored in `anchors`. */
export function isAnchored(
  anchors: TrustStore | readonly TrustAnchor[],
  spkiDer: Uint8Array,
): boolean {
  return toTrustStore(anchors).isAnchored(spkiDer);
}
