/**
 * C2SP signed notes (https://c2sp.org/signed-note): text ending in a newline, a blank
 * line, then one or more lines `— <key name> base64(key ID ‖ signature)`.
 */
import {
  decodeBase64Strict,
  decodeUtf8Strict,
  encodeBase64,
  encodeUtf8Strict,
} from './encoding.js';
import { NoteError } from './note-error.js';
import type { NoteSigner, NoteVerifier } from './note-ed25519.js';
import { assertNoteKeyName, formatNoteKeyId, isValidNoteKeyName } from './note-keys.js';

/** The spec asks verifiers to accept at least 16; we refuse more than this. */
export const NOTE_MAX_SIGNATURES = 100;
/** Default cap on a whole note in bytes (100 post-quantum signatures would be ~500 KiB). */
export const NOTE_DEFAULT_MAX_BYTES = 1024 * 1024;

/** One signature line of a note. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** The signature bytes, without the 4-byte key ID. */
  readonly signature: Uint8Array;
}

/** A note split into text and signatures, nothing verified yet. */
export interface ParsedNote {
  /** The signed text, including its final newline. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** A note whose text is vouched for by at least one known key. */
export interface VerifiedNote {
  readonly text: string;
  /** Signatures by known keys, all verified (each name/key ID once). */
  readonly verified: readonly NoteSignature[];
  /** Signatures by keys the caller did not supply, ignored as the spec says. */
  readonly unknown: readonly NoteSignature[];
}

export interface NoteLimits {
  /** Cap on the note's size in bytes; default `NOTE_DEFAULT_MAX_BYTES`. */
  readonly maxBytes?: number;
}

const SIG_PREFIX = '\u2014 ';

/** Split a signed note into text and signature lines; checks structure only. */
export function parseNote(note: string | Uint8Array, limits: NoteLimits = {}): ParsedNote {
  const maxBytes = limits.maxBytes ?? NOTE_DEFAULT_MAX_BYTES;
  const bytes = typeof note === 'string' ? encodeUtf8Strict(note) : note;
  if (bytes === undefined) throw malformed('it is not valid UTF-8 (lone surrogate)');
  if (bytes.length > maxBytes) {
    throw new NoteError(
      'NOTE_TOO_LARGE',
      `note is ${bytes.length} bytes, more than the cap of ${maxBytes}`,
    );
  }
  const text = typeof note === 'string' ? note : decodeUtf8Strict(bytes);
  if (text === undefined) throw malformed('it is not valid UTF-8');
  checkNoControls(text, malformed);

  const split = text.lastIndexOf('\n\n');
  if (split < 0) throw malformed('there is no blank line before the signatures');
  const body = text.slice(0, split + 1);
  const sigBlock = text.slice(split + 2);
  if (sigBlock === '' || !sigBlock.endsWith('\n')) {
    throw malformed('the signature block is empty or does not end in a newline');
  }
  const lines = sigBlock.slice(0, -1).split('\n');
  if (lines.length > NOTE_MAX_SIGNATURES) {
    throw new NoteError(
      'TOO_MANY_SIGNATURES',
      `note has ${lines.length} signatures, more than the cap of ${NOTE_MAX_SIGNATURES}`,
    );
  }
  return { text: body, signatures: lines.map(parseSignatureLine) };
}

/** Assemble a note from text and signatures (validated as `signNote` does). */
export function formatNote(text: string, signatures: readonly NoteSignature[]): string {
  checkText(text);
  if (signatures.length === 0 || signatures.length > NOTE_MAX_SIGNATURES) {
    throw new NoteError(
      'TOO_MANY_SIGNATURES',
      `a note needs 1 to ${NOTE_MAX_SIGNATURES} signatures, got ${signatures.length}`,
    );
  }
  const lines = signatures.map((s) => {
    assertNoteKeyName(s.name);
    if (!Number.isInteger(s.keyId) || s.keyId < 0 || s.keyId > 0xffffffff) {
      throw new NoteError('KEY_INVALID', `key ID of ${s.name} must be a uint32, got ${s.keyId}`);
    }
    if (s.signature.length === 0) {
      throw new NoteError('SIGNER_INVALID', `signature by ${s.name} is empty`);
    }
    const raw = new Uint8Array(4 + s.signature.length);
    new DataView(raw.buffer).setUint32(0, s.keyId);
    raw.set(s.signature, 4);
    return `${SIG_PREFIX}${s.name} ${encodeBase64(raw)}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

/** Sign `text` (which must end in a newline) with every signer, in order. */
export async function signNote(text: string, signers: readonly NoteSigner[]): Promise<string> {
  const bytes = checkText(text);
  const signatures: NoteSignature[] = [];
  for (const signer of signers) {
    assertNoteKeyName(signer.name);
    signatures.push({
      name: signer.name,
      keyId: signer.keyId,
      signature: await signer.sign(bytes),
    });
  }
  return formatNote(text, signatures);
}

/**
 * Open a signed note: every signature whose name and key ID match a known verifier
 * must verify (else `SIGNATURE_INVALID`), signatures by unknown keys are ignored, and
 * at least one known signature must be present (else `UNVERIFIED`).
 */
export function verifyNote(
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
  limits: NoteLimits = {},
): VerifiedNote {
  const known = new Map<string, NoteVerifier>();
  for (const v of verifiers) {
    const id = `${v.name}+${formatNoteKeyId(v.keyId)}`;
    if (known.has(id)) {
      throw new NoteError(
        'VERIFIER_CONFLICT',
        `two verifiers share name and key ID ${id}; pass each key once`,
      );
    }
    known.set(id, v);
  }
  const parsed = parseNote(note, limits);
  const textBytes = new TextEncoder().encode(parsed.text);
  const verified = new Map<string, NoteSignature>();
  const unknown: NoteSignature[] = [];
  for (const sig of parsed.signatures) {
    const id = `${sig.name}+${formatNoteKeyId(sig.keyId)}`;
    const verifier = known.get(id);
    if (verifier === undefined) {
      unknown.push(sig);
      continue;
    }
    if (!verifier.verify(textBytes, sig.signature)) {
      throw new NoteError(
        'SIGNATURE_INVALID',
        `signature by known key ${id} does not verify: the note was altered or signed by another key`,
      );
    }
    if (!verified.has(id)) verified.set(id, sig);
  }
  if (verified.size === 0) {
    const names = [...known.keys()].join(', ') || '(none)';
    throw new NoteError(
      'UNVERIFIED',
      `note carries no signature by a known key (known: ${names}); check the verifier key`,
    );
  }
  return { text: parsed.text, verified: [...verified.values()], unknown };
}

function parseSignatureLine(line: string, i: number): NoteSignature {
  if (!line.startsWith(SIG_PREFIX)) {
    throw malformed(`signature line ${i + 1} does not start with an em dash and a space`);
  }
  const rest = line.slice(SIG_PREFIX.length);
  const space = rest.indexOf(' ');
  const name = space < 0 ? rest : rest.slice(0, space);
  const b64 = space < 0 ? '' : rest.slice(space + 1);
  if (!isValidNoteKeyName(name)) throw malformed(`signature line ${i + 1} has an invalid key name`);
  const raw = decodeBase64Strict(b64);
  if (raw === undefined || raw.length < 5) {
    throw malformed(
      `signature line ${i + 1} does not carry canonical base64 of a key ID and a signature`,
    );
  }
  const keyId = new DataView(raw.buffer, raw.byteOffset, raw.byteLength).getUint32(0);
  return { name, keyId, signature: raw.slice(4) };
}

function checkText(text: string): Uint8Array {
  const invalid = (why: string): NoteError => new NoteError('TEXT_INVALID', `note text ${why}`);
  if (!text.endsWith('\n')) throw invalid('must be non-empty and end in a newline');
  const bytes = encodeUtf8Strict(text);
  if (bytes === undefined) throw invalid('is not valid UTF-8 (lone surrogate)');
  checkNoControls(text, invalid);
  return bytes;
}

function checkNoControls(text: string, fail: (why: string) => NoteError): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) {
      throw fail(`contains control character U+${c.toString(16).padStart(4, '0')} at offset ${i}`);
    }
  }
}

function malformed(why: string): NoteError {
  return new NoteError('NOTE_MALFORMED', `not a signed note: ${why}`);
}
