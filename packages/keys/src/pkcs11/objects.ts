import type { KeyType } from '@cairn/core';
import { KeyError } from '../errors.js';
import { spkiFromEcPoint, spkiFromEd25519, spkiFromRsa } from '../spki.js';
import {
  CKK_EC_EDWARDS,
  CKM_EC_EDWARDS_KEY_PAIR_GEN,
  pkcs11js,
  type Handle,
  type Pkcs11,
} from './module.js';

const P = pkcs11js;

/** DER OIDs that CKA_EC_PARAMS holds for each curve. */
const EC_PARAMS: Readonly<Record<'ecdsa-p256' | 'ecdsa-p384' | 'ed25519', Buffer>> = {
  'ecdsa-p256': Buffer.from('06082a8648ce3d030107', 'hex'),
  'ecdsa-p384': Buffer.from('06052b81040022', 'hex'),
  ed25519: Buffer.from('06032b6570', 'hex'),
};

export interface KeyGenSpec {
  readonly mechanism: number;
  readonly keyType: number;
  readonly publicAttrs: pkcs11js.Template;
}

export function keyGenSpec(type: KeyType): KeyGenSpec {
  switch (type) {
    case 'ecdsa-p256':
    case 'ecdsa-p384':
      return {
        mechanism: P.CKM_EC_KEY_PAIR_GEN,
        keyType: P.CKK_EC,
        publicAttrs: [{ type: P.CKA_EC_PARAMS, value: EC_PARAMS[type] }],
      };
    case 'ed25519':
      return {
        mechanism: CKM_EC_EDWARDS_KEY_PAIR_GEN,
        keyType: CKK_EC_EDWARDS,
        publicAttrs: [{ type: P.CKA_EC_PARAMS, value: EC_PARAMS.ed25519 }],
      };
    case 'rsa-pss-3072':
      return {
        mechanism: P.CKM_RSA_PKCS_KEY_PAIR_GEN,
        keyType: P.CKK_RSA,
        publicAttrs: [
          { type: P.CKA_MODULUS_BITS, value: 3072 },
          { type: P.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
        ],
      };
  }
}

/** Templates for a non-extractable, sensitive signing key pair stored on the token. */
export function keyPairTemplates(
  spec: KeyGenSpec,
  label: string,
  id: Buffer,
): { pub: pkcs11js.Template; priv: pkcs11js.Template } {
  return {
    pub: [
      { type: P.CKA_CLASS, value: P.CKO_PUBLIC_KEY },
      { type: P.CKA_KEY_TYPE, value: spec.keyType },
      { type: P.CKA_TOKEN, value: true },
      { type: P.CKA_PRIVATE, value: false },
      { type: P.CKA_VERIFY, value: true },
      { type: P.CKA_LABEL, value: label },
      { type: P.CKA_ID, value: id },
      ...spec.publicAttrs,
    ],
    priv: [
      { type: P.CKA_CLASS, value: P.CKO_PRIVATE_KEY },
      { type: P.CKA_KEY_TYPE, value: spec.keyType },
      { type: P.CKA_TOKEN, value: true },
      { type: P.CKA_PRIVATE, value: true },
      { type: P.CKA_SENSITIVE, value: true },
      { type: P.CKA_EXTRACTABLE, value: false },
      { type: P.CKA_SIGN, value: true },
      { type: P.CKA_LABEL, value: label },
      { type: P.CKA_ID, value: id },
    ],
  };
}

const MAX_OBJECTS = 10_000;

/** Handles of objects matching a template (capped). */
export function findObjects(lib: Pkcs11, s: Handle, template: pkcs11js.Template): Handle[] {
  lib.C_FindObjectsInit(s, template);
  try {
    const out: Handle[] = [];
    for (;;) {
      const batch = lib.C_FindObjects(s, 64);
      if (batch.length === 0) return out;
      out.push(...batch);
      if (out.length > MAX_OBJECTS) {
        throw new KeyError(
          'KEYSTORE_CORRUPT',
          `the token holds over ${MAX_OBJECTS} matching objects`,
        );
      }
    }
  } finally {
    lib.C_FindObjectsFinal(s);
  }
}

export interface TokenKey {
  readonly handle: Handle;
  readonly label: string;
  readonly id: Buffer;
  readonly type: KeyType;
  readonly publicKey: Uint8Array;
}

function attrs(lib: Pkcs11, s: Handle, h: Handle, types: number[]): Buffer[] {
  return lib
    .C_GetAttributeValue(
      s,
      h,
      types.map((type) => ({ type })),
    )
    .map((a) => a.value);
}

/** Unwrap a DER OCTET STRING around CKA_EC_POINT if present (PKCS#11 says it is there). */
function ecPoint(raw: Buffer, rawLen: number): Buffer {
  if (raw.length === rawLen) return raw;
  if (raw[0] === 0x04 && raw.length === rawLen + 2 && raw[1] === rawLen) return raw.subarray(2);
  if (raw[0] === 0x04 && raw.length === rawLen + 3 && raw[1] === 0x81 && raw[2] === rawLen)
    return raw.subarray(3);
  throw new KeyError(
    'KEYSTORE_CORRUPT',
    `CKA_EC_POINT of ${raw.length} bytes is not a ${rawLen}-byte point`,
  );
}

/**
 * Describe a private key object: label, id, type and the DER SPKI built from its public
 * half (same CKA_ID). Returns undefined for keys Cairn does not use (other curves/sizes,
 * no public half).
 */
export function readTokenKey(lib: Pkcs11, s: Handle, priv: Handle): TokenKey | undefined {
  const [keyTypeB, labelB, id] = attrs(lib, s, priv, [P.CKA_KEY_TYPE, P.CKA_LABEL, P.CKA_ID]) as [
    Buffer,
    Buffer,
    Buffer,
  ];
  const keyType = keyTypeB.readUIntLE(0, Math.min(keyTypeB.length, 6));
  const label = labelB.toString('utf8');
  const [pub] = findObjects(lib, s, [
    { type: P.CKA_CLASS, value: P.CKO_PUBLIC_KEY },
    { type: P.CKA_ID, value: id },
  ]);
  if (pub === undefined) return undefined;
  if (keyType === P.CKK_EC || keyType === CKK_EC_EDWARDS) {
    const [params, point] = attrs(lib, s, pub, [P.CKA_EC_PARAMS, P.CKA_EC_POINT]) as [
      Buffer,
      Buffer,
    ];
    if (keyType === CKK_EC_EDWARDS) {
      if (!params.equals(EC_PARAMS.ed25519)) return undefined;
      return {
        handle: priv,
        label,
        id,
        type: 'ed25519',
        publicKey: spkiFromEd25519(ecPoint(point, 32)),
      };
    }
    const type = params.equals(EC_PARAMS['ecdsa-p256'])
      ? 'ecdsa-p256'
      : params.equals(EC_PARAMS['ecdsa-p384'])
        ? 'ecdsa-p384'
        : undefined;
    if (type === undefined) return undefined;
    const publicKey = spkiFromEcPoint(type, ecPoint(point, type === 'ecdsa-p256' ? 65 : 97));
    return { handle: priv, label, id, type, publicKey };
  }
  if (keyType === P.CKK_RSA) {
    const [n, e] = attrs(lib, s, pub, [P.CKA_MODULUS, P.CKA_PUBLIC_EXPONENT]) as [Buffer, Buffer];
    let i = 0;
    while (i < n.length && n[i] === 0) i++;
    if (n.length - i !== 384) return undefined;
    return { handle: priv, label, id, type: 'rsa-pss-3072', publicKey: spkiFromRsa(n, e) };
  }
  return undefined;
}
