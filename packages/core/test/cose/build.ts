// Builds COSE_Sign1 messages with arbitrary headers and a genuine signature, so tests can
// check that header rules are enforced even when the signature itself is valid.
import type { KeyObject } from 'node:crypto';
import {
  CborMap,
  encodeCbor,
  encodeCoseSign1,
  sigStructure,
  signWithKey,
  type CborValue,
  type SignatureAlgorithm,
} from '@cairn/core';

export interface RawMessage {
  protectedEntries?: [CborValue, CborValue][];
  /** Exact protected bucket bytes, overriding protectedEntries. */
  protectedBytes?: Uint8Array;
  unprotectedEntries?: [CborValue, CborValue][];
  payload: Uint8Array;
  detached?: boolean;
  tagged?: boolean;
}

/** Sign `msg` with `alg`/`key` exactly as written (no header checks). */
export function buildSigned(msg: RawMessage, alg: SignatureAlgorithm, key: KeyObject): Uint8Array {
  const protectedBytes =
    msg.protectedBytes ??
    (msg.protectedEntries && msg.protectedEntries.length > 0
      ? encodeCbor(new CborMap(msg.protectedEntries))
      : new Uint8Array(0));
  const signature = signWithKey(alg, key, sigStructure(protectedBytes, msg.payload));
  return encodeCoseSign1(
    {
      protectedBytes,
      protectedHeaders: new CborMap(msg.protectedEntries ?? []),
      unprotectedHeaders: new CborMap(msg.unprotectedEntries ?? []),
      payload: msg.detached === false ? msg.payload : null,
      signature,
    },
    { tagged: msg.tagged ?? true },
  );
}
