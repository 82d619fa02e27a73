/**
 * Note key names, key IDs and the text forms of note keys (as golang.org/x/mod/sumdb/note
 * writes them):
 *   verifier key  `<name>+<hex key ID>+<base64(type ‖ public key)>`
 *   signer key    `PRIVATE+KEY+<name>+<hex key ID>+<base64(type ‖ private key)>`
 * Only signature type 0x01 (Ed25519) is supported.
 */
import { createHash } from 'node:crypto';
import { decodeBase64Strict, encodeBase64 } from './encoding.js';
import { NoteError } from './note-error.js';

/** Signature type identifier byte of Ed25519 note signatures. */
export const NOTE_ED25519_TYPE = 0x01;

const ED25519_KEY_SIZE = 32;
const MAX_KEY_STRING_LENGTH = 4096;
const SIGNER_KEY_PREFIX = 'PRIVATE+KEY+';
const HEX8_RE = /^[0-9a-fA-F]{8}$/;
const SPACE_RE = /\p{White_Space}/u;
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f]/;

/** An Ed25519 note key as written in a key string. */
export interface NoteKeyMaterial {
  readonly name: string;
  readonly keyId: number;
  /** The 32-byte Ed25519 public key (verifier) or seed (signer). */
  readonly key: Uint8Array;
}

/** True when `name` may name a note key: non-empty, no spaces, no `+`, no controls. */
export function isValidNoteKeyName(name: string): boolean {
  return name !== '' && !SPACE_RE.test(name) && !name.includes('+') && !CONTROL_RE.test(name);
}

/** Throw `NAME_INVALID` unless `name` is a valid note key name. */
export function assertNoteKeyName(name: string): void {
  if (!isValidNoteKeyName(name)) {
    throw new NoteError(
      'NAME_INVALID',
      `note key name ${JSON.stringify(name)} is invalid: it must be non-empty and contain no spaces, '+' or control characters (use a schema-less URL such as example.com/log)`,
    );
  }
}

/** Key ID = first 4 bytes (big-endian uint32) of SHA-256(name ‖ 0x0A ‖ type ‖ key). */
export function noteKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const h = createHash('sha256')
    .update(name, 'utf8')
    .update(new Uint8Array([0x0a, type]))
    .update(publicKey)
    .digest();
  return h.readUInt32BE(0);
}

/** Key ID of an Ed25519 note key (type 0x01). */
export function ed25519NoteKeyId(name: string, publicKey: Uint8Array): number {
  return noteKeyId(name, NOTE_ED25519_TYPE, publicKey);
}

/** Eight lowercase hex digits of a key ID. */
export function formatNoteKeyId(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

/** Parse `<name>+<hex key ID>+<base64(0x01 ‖ pubkey)>`; checks the key ID matches. */
export function parseNoteVerifierKey(vkey: string): NoteKeyMaterial {
  const parsed = parseKeyString(vkey, 'verifier key');
  if (parsed.keyId !== ed25519NoteKeyId(parsed.name, parsed.key)) {
    throw new NoteError(
      'KEY_ID_MISMATCH',
      `verifier key for ${JSON.stringify(parsed.name)} has key ID ${formatNoteKeyId(parsed.keyId)}, but its name and public key give ${formatNoteKeyId(ed25519NoteKeyId(parsed.name, parsed.key))}: the key string was altered`,
    );
  }
  return parsed;
}

/** Format an Ed25519 verifier key string. */
export function formatNoteVerifierKey(name: string, publicKey: Uint8Array): string {
  assertNoteKeyName(name);
  checkKeySize(publicKey, 'public key');
  const keyId = ed25519NoteKeyId(name, publicKey);
  return `${name}+${formatNoteKeyId(keyId)}+${encodeBase64(withType(publicKey))}`;
}

/**
 * Parse `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 ‖ seed)>`. The key ID is that of
 * the public key, so checking it needs the public key: see `noteSignerFromKey`.
 */
export function parseNoteSignerKey(skey: string): NoteKeyMaterial {
  if (!skey.startsWith(SIGNER_KEY_PREFIX)) {
    throw new NoteError('KEY_INVALID', 'signer key must start with PRIVATE+KEY+');
  }
  return parseKeyString(skey.slice(SIGNER_KEY_PREFIX.length), 'signer key');
}

/** Format an Ed25519 signer key string (the caller supplies the public key's ID). */
export function formatNoteSignerKey(name: string, keyId: number, seed: Uint8Array): string {
  assertNoteKeyName(name);
  checkKeySize(seed, 'private key');
  return `${SIGNER_KEY_PREFIX}${name}+${formatNoteKeyId(keyId)}+${encodeBase64(withType(seed))}`;
}

function parseKeyString(text: string, what: string): NoteKeyMaterial {
  if (text.length > MAX_KEY_STRING_LENGTH) {
    throw new NoteError(
      'KEY_INVALID',
      `${what} is longer than ${MAX_KEY_STRING_LENGTH} characters`,
    );
  }
  const plus1 = text.indexOf('+');
  const plus2 = plus1 < 0 ? -1 : text.indexOf('+', plus1 + 1);
  if (plus2 < 0) {
    throw new NoteError(
      'KEY_INVALID',
      `${what} must have the form <name>+<hex key ID>+<base64 key>`,
    );
  }
  const name = text.slice(0, plus1);
  const hex = text.slice(plus1 + 1, plus2);
  const b64 = text.slice(plus2 + 1);
  assertNoteKeyName(name);
  if (!HEX8_RE.test(hex)) {
    throw new NoteError(
      'KEY_INVALID',
      `${what} key ID must be 8 hex digits, got ${JSON.stringify(hex)}`,
    );
  }
  const raw = decodeBase64Strict(b64);
  if (raw === undefined || raw.length === 0) {
    throw new NoteError('KEY_INVALID', `${what} key is not canonical padded base64`);
  }
  if (raw[0] !== NOTE_ED25519_TYPE) {
    throw new NoteError(
      'KEY_INVALID',
      `${what} has signature type 0x${raw[0]!.toString(16).padStart(2, '0')}; only Ed25519 (0x01) is supported`,
    );
  }
  const key = raw.slice(1);
  checkKeySize(key, `${what} Ed25519 key`);
  return { name, keyId: Number.parseInt(hex, 16), key };
}

function checkKeySize(key: Uint8Array, what: string): void {
  if (key.length !== ED25519_KEY_SIZE) {
    throw new NoteError(
      'KEY_INVALID',
      `${what} must be ${ED25519_KEY_SIZE} bytes, got ${key.length}`,
    );
  }
}

function withType(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out[0] = NOTE_ED25519_TYPE;
  out.set(key, 1);
  return out;
}
