/**
 * Ed25519 note signers and verifiers over node:crypto, and the adapter that lets any
 * Cairn `Signer` holding an Ed25519 key (an HSM key, say) sign notes.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Signer } from '../crypto/signer.js';
import { bytesEqual } from './encoding.js';
import { NoteError } from './note-error.js';
import {
  assertNoteKeyName,
  ed25519NoteKeyId,
  formatNoteKeyId,
  formatNoteSignerKey,
  formatNoteVerifierKey,
  parseNoteSignerKey,
  parseNoteVerifierKey,
} from './note-keys.js';

/** Verifies note signatures of one key, identified by name and key ID. */
export interface NoteVerifier {
  readonly name: string;
  /** uint32 key ID, as carried in the first 4 bytes of a signature. */
  readonly keyId: number;
  /** True when `signature` (without the key ID) is valid over the note `text`. */
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/** Signs note text; the key may live anywhere (HSM, software, remote). */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  /** The signature over `text`, without the key ID prefix. */
  sign(text: Uint8Array): Promise<Uint8Array>;
}

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SIGNATURE_SIZE = 64;

/** A verifier for a raw 32-byte Ed25519 public key under `name`. */
export function ed25519NoteVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  // formatNoteVerifierKey validates the name and key size.
  return noteVerifierFromKey(formatNoteVerifierKey(name, publicKey));
}

/** A verifier from a verifier key string `<name>+<hex key ID>+<base64(0x01 ‖ key)>`. */
export function noteVerifierFromKey(vkey: string): NoteVerifier {
  const { name, keyId, key } = parseNoteVerifierKey(vkey);
  const keyObject = ed25519PublicKeyObject(key);
  return Object.freeze({
    name,
    keyId,
    verify(text: Uint8Array, signature: Uint8Array): boolean {
      if (signature.length !== ED25519_SIGNATURE_SIZE) return false;
      try {
        return verify(null, text, keyObject, signature);
      } catch {
        return false;
      }
    },
  });
}

/** A software signer from a signer key string `PRIVATE+KEY+<name>+<hex ID>+<base64>`. */
export function noteSignerFromKey(skey: string): NoteSigner {
  const { name, keyId, key: seed } = parseNoteSignerKey(skey);
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = rawEd25519PublicKey(createPublicKey(privateKey));
  const expected = ed25519NoteKeyId(name, publicKey);
  if (expected !== keyId) {
    throw new NoteError(
      'KEY_ID_MISMATCH',
      `signer key for ${JSON.stringify(name)} has key ID ${formatNoteKeyId(keyId)}, but its name and public key give ${formatNoteKeyId(expected)}`,
    );
  }
  return Object.freeze({
    name,
    keyId,
    sign(text: Uint8Array): Promise<Uint8Array> {
      return Promise.resolve(new Uint8Array(sign(null, text, privateKey)));
    },
  });
}

/**
 * Wrap a Cairn `Signer` holding an Ed25519 key (algorithm `EdDSA` or `Ed25519`, SPKI
 * public key) as a note signer named `name`. The key never leaves the signer.
 */
export function noteSignerFromSigner(name: string, signer: Signer): NoteSigner {
  assertNoteKeyName(name);
  if (signer.algorithm !== 'EdDSA' && signer.algorithm !== 'Ed25519') {
    throw new NoteError(
      'SIGNER_INVALID',
      `note signatures need an Ed25519 key, but the signer uses ${signer.algorithm}`,
    );
  }
  const spki = signer.publicKey;
  if (
    spki.length !== SPKI_ED25519_PREFIX.length + 32 ||
    !bytesEqual(spki.subarray(0, SPKI_ED25519_PREFIX.length), SPKI_ED25519_PREFIX)
  ) {
    throw new NoteError(
      'SIGNER_INVALID',
      'signer public key is not an Ed25519 SubjectPublicKeyInfo',
    );
  }
  const keyId = ed25519NoteKeyId(name, spki.subarray(SPKI_ED25519_PREFIX.length));
  return Object.freeze({
    name,
    keyId,
    async sign(text: Uint8Array): Promise<Uint8Array> {
      const sig = await signer.sign(text);
      if (sig.length !== ED25519_SIGNATURE_SIZE) {
        throw new NoteError(
          'SIGNER_INVALID',
          `signer returned a ${sig.length}-byte signature; Ed25519 signatures are ${ED25519_SIGNATURE_SIZE} bytes`,
        );
      }
      return sig;
    },
  });
}

/** A fresh Ed25519 note key pair as signer and verifier key strings. */
export function generateNoteKey(name: string): { signerKey: string; verifierKey: string } {
  assertNoteKeyName(name);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = rawEd25519PublicKey(publicKey);
  const seed = privateKey
    .export({ format: 'der', type: 'pkcs8' })
    .subarray(PKCS8_ED25519_PREFIX.length);
  return {
    signerKey: formatNoteSignerKey(name, ed25519NoteKeyId(name, raw), new Uint8Array(seed)),
    verifierKey: formatNoteVerifierKey(name, raw),
  };
}

function ed25519PublicKeyObject(raw: Uint8Array): KeyObject {
  try {
    return createPublicKey({
      key: Buffer.concat([SPKI_ED25519_PREFIX, raw]),
      format: 'der',
      type: 'spki',
    });
  } catch (cause) {
    throw new NoteError('KEY_INVALID', 'the Ed25519 public key could not be loaded', { cause });
  }
}

function rawEd25519PublicKey(key: KeyObject): Uint8Array {
  const der = key.export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(SPKI_ED25519_PREFIX.length));
}
