import type { KeyObject } from 'node:crypto';
import { decodeCbor } from '../cbor/decode.js';
import { encodeCbor } from '../cbor/encode.js';
import { CborError, CborMap, CborTag, type CborValue } from '../cbor/types.js';
import {
  assertKeyMatchesAlgorithm,
  coseAlgorithmId,
  SIGNATURE_ALGORITHMS,
  signatureLength,
  toPublicKey,
  verifySignature,
  verifySignatureAsync,
} from '../crypto/algorithms.js';
import type { SignatureAlgorithm, Signer } from '../crypto/signer.js';
import { CoseError } from './errors.js';
import { assertHeaderBuckets, COSE_HEADER, readCoseHeaders } from './headers.js';
import type { CoseHeaderSummary } from './headers.js';

export { CoseError } from './errors.js';
export type { CoseErrorCode } from './errors.js';

/** CBOR tag of a COSE_Sign1 message (RFC 9052). */
export const COSE_SIGN1_TAG = 18;
/** Default cap on an encoded COSE_Sign1 accepted for decoding (1 MiB). */
export const COSE_MAX_BYTES = 1024 * 1024;

/** A decoded COSE_Sign1. `protectedBytes` is what the signature covers; `protectedHeaders` its decoding. */
export interface CoseSign1 {
  protectedBytes: Uint8Array;
  protectedHeaders: CborMap;
  unprotectedHeaders: CborMap;
  /** null when the payload is detached. */
  payload: Uint8Array | null;
  signature: Uint8Array;
}

export interface DecodeCoseOptions {
  /** Largest encoded message accepted, in bytes. Default COSE_MAX_BYTES. */
  readonly maxBytes?: number;
}

function malformed(message: string, cause?: unknown): never {
  throw new CoseError(
    'COSE_MALFORMED',
    `${message}; expected a COSE_Sign1 [protected bstr, unprotected map, payload bstr/nil, signature bstr] (RFC 9052 §4.2)`,
    cause === undefined ? {} : { cause },
  );
}

function decodeStrict(bytes: Uint8Array, what: string): CborValue {
  try {
    return decodeCbor(bytes, { maxDepth: 16, maxItems: 1024 });
  } catch (err) {
    if (err instanceof CborError)
      return malformed(`${what} is not valid CBOR (${err.code}: ${err.message})`, err);
    throw err;
  }
}

/** Decode a COSE_Sign1 (tag 18 or untagged), checking its structure and header buckets strictly. */
export function decodeCoseSign1(bytes: Uint8Array, opts: DecodeCoseOptions = {}): CoseSign1 {
  const max = opts.maxBytes ?? COSE_MAX_BYTES;
  if (bytes.length > max) {
    malformed(`message of ${bytes.length} bytes exceeds the cap of ${max} bytes`);
  }
  let value = decodeStrict(bytes, 'message');
  if (value instanceof CborTag) {
    if (value.tag !== COSE_SIGN1_TAG) {
      malformed(`message has CBOR tag ${value.tag}, not ${COSE_SIGN1_TAG} (COSE_Sign1)`);
    }
    value = value.value;
  }
  if (!Array.isArray(value) || value.length !== 4) {
    malformed(
      Array.isArray(value)
        ? `array has ${value.length} elements, not 4`
        : 'message is not an array',
    );
  }
  const [prot, unprot, payload, signature] = value as [CborValue, CborValue, CborValue, CborValue];
  if (!(prot instanceof Uint8Array)) malformed('protected header is not a byte string');
  if (!(unprot instanceof CborMap)) malformed('unprotected header is not a map');
  if (!(payload instanceof Uint8Array) && payload !== null) {
    malformed('payload is neither a byte string nor nil');
  }
  if (!(signature instanceof Uint8Array)) malformed('signature is not a byte string');
  let protectedHeaders: CborMap;
  if (prot.length === 0) protectedHeaders = new CborMap();
  else {
    const p = decodeStrict(prot, 'protected header');
    if (!(p instanceof CborMap)) malformed('protected header does not hold a map');
    protectedHeaders = p;
  }
  assertHeaderBuckets(protectedHeaders, unprot);
  return {
    protectedBytes: prot,
    protectedHeaders,
    unprotectedHeaders: unprot,
    payload,
    signature,
  };
}

/** Encode a COSE_Sign1; `protectedBytes` is written as is. Tagged with 18 unless `tagged: false`. */
export function encodeCoseSign1(msg: CoseSign1, opts: { tagged?: boolean } = {}): Uint8Array {
  const arr: CborValue[] = [msg.protectedBytes, msg.unprotectedHeaders, msg.payload, msg.signature];
  return encodeCbor(opts.tagged === false ? arr : new CborTag(COSE_SIGN1_TAG, arr));
}

/** The algorithm, kid and x5chain of a message (alg must be protected; see readCoseHeaders). */
export function coseHeaders(msg: CoseSign1): CoseHeaderSummary {
  return readCoseHeaders(msg.protectedHeaders, msg.unprotectedHeaders);
}

/** The bytes a COSE_Sign1 signature covers: Sig_structure ["Signature1", protected, external_aad, payload]. */
export function sigStructure(
  protectedBytes: Uint8Array,
  payload: Uint8Array,
  externalAad: Uint8Array = new Uint8Array(0),
): Uint8Array {
  return encodeCbor(['Signature1', protectedBytes, externalAad, payload]);
}

export interface SignCoseSign1Options {
  payload: Uint8Array;
  /** Leave the payload out of the message (nil), as SUIT does. Default true. */
  detached?: boolean;
  signer: Signer;
  /** Key identifier, written to the unprotected bucket. */
  kid?: Uint8Array;
  /** Signing certificate first, then intermediates (DER); written to the protected bucket. */
  x5chain?: Uint8Array[];
  externalAad?: Uint8Array;
}

/** A signer's public key as a KeyObject, kept per publicKey array (with a copy of its bytes). */
const signerKeys = new WeakMap<Uint8Array, { readonly der: Buffer; readonly key: KeyObject }>();

/**
 * The public KeyObject of `signer`: parsed once per publicKey array and reused while the
 * array still holds the same bytes (a Signer's key never changes; parsing the DER on
 * every signature cost more than verifying it).
 */
function signerPublicKey(signer: Signer): KeyObject {
  const spki = signer.publicKey;
  const hit = signerKeys.get(spki);
  if (hit !== undefined && hit.der.equals(spki)) return hit.key;
  const key = toPublicKey(spki);
  signerKeys.set(spki, { der: Buffer.from(spki), key });
  return key;
}

/**
 * Sign `payload` as a tag-18 COSE_Sign1 with `alg` (and x5chain) protected.
 * The signature is checked against the signer's public key before it is returned.
 */
export async function signCoseSign1(opts: SignCoseSign1Options): Promise<Uint8Array> {
  const alg = opts.signer.algorithm;
  // refuse a signer whose key cannot make `alg` signatures before asking it to sign
  const pub = signerPublicKey(opts.signer);
  assertKeyMatchesAlgorithm(alg, pub);
  const protectedHeaders = new CborMap([[COSE_HEADER.alg, coseAlgorithmId(alg)]]);
  if (opts.x5chain !== undefined) {
    const chain = opts.x5chain;
    if (chain.length === 0) {
      throw new CoseError('HEADER_INVALID', 'x5chain must hold at least the signing certificate');
    }
    protectedHeaders.set(COSE_HEADER.x5chain, chain.length === 1 ? chain[0]! : [...chain]);
  }
  const unprotectedHeaders = new CborMap();
  if (opts.kid !== undefined) unprotectedHeaders.set(COSE_HEADER.kid, opts.kid);
  const protectedBytes = encodeCbor(protectedHeaders, { canonical: true });
  const toSign = sigStructure(protectedBytes, opts.payload, opts.externalAad);
  const signature = await opts.signer.sign(toSign);
  // Every signature is verified before it leaves (a broken HSM or a signer holding another
  // key must never produce an envelope); with the cached key this is one ECDSA verify,
  // run on the thread pool so a signing service's event loop is not held by it.
  if (
    signature.length !== signatureLength(alg, pub) ||
    !(await verifySignatureAsync(alg, pub, toSign, signature))
  ) {
    throw new CoseError(
      'SIGNATURE_INVALID',
      `the signer returned a signature (${signature.length} bytes) that does not verify with its own public key for ${alg}; check the signer's key and algorithm`,
    );
  }
  return encodeCoseSign1({
    protectedBytes,
    protectedHeaders,
    unprotectedHeaders,
    payload: opts.detached === false ? opts.payload : null,
    signature,
  });
}

export interface VerifyCoseSign1Options {
  cose: Uint8Array | CoseSign1;
  /** The payload when the message carries nil; must be absent when the message carries one. */
  detachedPayload?: Uint8Array;
  key: KeyObject | Uint8Array | string;
  /** Algorithms accepted. Default: every supported one. */
  allowedAlgorithms?: readonly SignatureAlgorithm[];
  externalAad?: Uint8Array;
  /** Cap for decoding `cose` when given as bytes. */
  maxBytes?: number;
}

/**
 * Verify a COSE_Sign1 with `key`. Steps, each with its own error:
 * 1 decode (COSE_MALFORMED, HEADER_INVALID), 2 headers (HEADER_INVALID, ALG_UNSUPPORTED),
 * 3 policy (ALG_NOT_ALLOWED), 4 payload (PAYLOAD_MISSING), 5 key fits alg (ALG_KEY_MISMATCH,
 * KEY_INVALID), 6 signature (SIGNATURE_INVALID). Returns the verified headers.
 */
export function verifyCoseSign1(opts: VerifyCoseSign1Options): CoseHeaderSummary {
  const msg =
    opts.cose instanceof Uint8Array
      ? decodeCoseSign1(opts.cose, opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes })
      : opts.cose;
  const headers = coseHeaders(msg);
  const allowed = opts.allowedAlgorithms ?? SIGNATURE_ALGORITHMS;
  if (!allowed.includes(headers.alg)) {
    throw new CoseError(
      'ALG_NOT_ALLOWED',
      `signature algorithm ${headers.alg} is not allowed here; allowed: ${allowed.join(', ') || '(none)'}`,
      { details: { alg: headers.alg } },
    );
  }
  let payload: Uint8Array;
  if (msg.payload === null) {
    if (opts.detachedPayload === undefined) {
      throw new CoseError(
        'PAYLOAD_MISSING',
        'the COSE_Sign1 payload is detached (nil): pass the signed content as detachedPayload',
      );
    }
    payload = opts.detachedPayload;
  } else {
    if (opts.detachedPayload !== undefined) {
      throw new CoseError(
        'PAYLOAD_MISSING',
        'the COSE_Sign1 carries its payload, so no detachedPayload may be given: drop it or strip the payload',
      );
    }
    payload = msg.payload;
  }
  const key = toPublicKey(opts.key);
  const ok = verifySignature(
    headers.alg,
    key,
    sigStructure(msg.protectedBytes, payload, opts.externalAad),
    msg.signature,
  );
  if (!ok) {
    throw new CoseError(
      'SIGNATURE_INVALID',
      `COSE_Sign1 ${headers.alg} signature does not verify with the given key: the message, payload or external AAD was altered, or it was signed by another key`,
    );
  }
  return headers;
}
