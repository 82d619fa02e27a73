import type { KeyType } from '@cairn/core';
import { CKM_EDDSA, pkcs11js } from './module.js';

const P = pkcs11js;

const PSS_SHA256: pkcs11js.RsaPSS = {
  type: P.CK_PARAMS_RSA_PSS,
  hashAlg: P.CKM_SHA256,
  mgf: P.CKG_MGF1_SHA256,
  saltLen: 32,
};

/** The signing mechanism of a key type (ECDSA and RSA-PSS sign a digest hashed in Node). */
export function mechanismFor(type: KeyType): pkcs11js.Mechanism {
  switch (type) {
    case 'ecdsa-p256':
    case 'ecdsa-p384':
      return { mechanism: P.CKM_ECDSA };
    case 'ed25519':
      return { mechanism: CKM_EDDSA };
    case 'rsa-pss-3072':
      return { mechanism: P.CKM_RSA_PKCS_PSS, parameter: PSS_SHA256 };
  }
}

/** A buffer whose data pointer is never NULL, even when empty (SoftHSM2 rejects NULL). */
export function nonNull(bytes: Uint8Array): Buffer {
  return bytes.length > 0 ? Buffer.from(bytes) : Buffer.alloc(1).subarray(0, 0);
}
