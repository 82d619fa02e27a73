/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the note text
 *   <origin>\n<decimal tree size>\n<base64 root hash>\n[<extension line>\n]...
 * signed as a note by the log.
 */
import { BaseError } from '../errors/base-error.js';
import { decodeBase64Strict, encodeBase64, parseCanonicalDecimal } from './encoding.js';
import { MERKLE_HASH_SIZE } from './merkle-hash.js';
import type { NoteSigner, NoteVerifier } from './note-ed25519.js';
import { signNote, verifyNote } from './signed-note.js';
import type { NoteLimits, NoteSignature } from './signed-note.js';

/**
 * - `CHECKPOINT_MALFORMED`: the text is not origin, size, root hash and extension lines.
 * - `SIZE_INVALID`: the tree size is not a canonical decimal that fits a safe integer.
 * - `ROOT_INVALID`: the root hash is not canonical base64 of 32 bytes.
 * - `ORIGIN_MISMATCH`: the checkpoint is from another log than the one expected.
 * - `LOG_SIGNATURE_MISSING`: the note verified, but not by the log's own key.
 */
export type CheckpointErrorCode =
  | 'CHECKPOINT_MALFORMED'
  | 'SIZE_INVALID'
  | 'ROOT_INVALID'
  | 'ORIGIN_MISMATCH'
  | 'LOG_SIGNATURE_MISSING';

export class CheckpointError extends BaseError<CheckpointErrorCode> {}

/** The body of a checkpoint. */
export interface Checkpoint {
  /** Unique identifier of the log, e.g. `example.com/log42`. */
  readonly origin: string;
  /** Number of leaves in the tree. */
  readonly size: number;
  /** RFC 6962 root hash of the tree at `size` (32 bytes). */
  readonly rootHash: Uint8Array;
  /** Opaque, non-empty extension lines (without newlines); usually none. */
  readonly extensions: readonly string[];
}

/** A checkpoint whose note was verified. */
export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  /** The note text exactly as signed. */
  readonly text: string;
  /** Verified signatures: the log's first, then any other known keys. */
  readonly verified: readonly NoteSignature[];
}

export interface OpenCheckpointOptions extends NoteLimits {
  /** Require this origin line (defaults to the log verifier's key name). */
  readonly origin?: string;
  /** Further known keys (e.g. witnesses) whose signatures must verify if present. */
  readonly otherVerifiers?: readonly NoteVerifier[];
}

const MAX_EXTENSION_LINES = 64;

/** Parse checkpoint note text (with its final newline). */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw malformed('text must end in a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3)
    throw malformed(`needs origin, size and root hash lines, got ${lines.length} line(s)`);
  if (lines.length > 3 + MAX_EXTENSION_LINES) {
    throw malformed(`more than ${MAX_EXTENSION_LINES} extension lines`);
  }
  const [origin, sizeText, rootText, ...extensions] = lines as [
    string,
    string,
    string,
    ...string[],
  ];
  if (origin === '') throw malformed('origin line is empty');
  if (extensions.some((l) => l === '')) throw malformed('extension lines must be non-empty');
  const size = parseCanonicalDecimal(sizeText);
  if (size === undefined) {
    throw new CheckpointError(
      'SIZE_INVALID',
      `tree size ${JSON.stringify(sizeText.slice(0, 40))} is not a decimal without sign or leading zeros that fits 2^53`,
    );
  }
  const rootHash = decodeBase64Strict(rootText);
  if (rootHash?.length !== MERKLE_HASH_SIZE) {
    throw new CheckpointError(
      'ROOT_INVALID',
      `root hash must be canonical base64 of ${MERKLE_HASH_SIZE} bytes, got ${JSON.stringify(rootText.slice(0, 60))}`,
    );
  }
  return { origin, size, rootHash, extensions };
}

/** Checkpoint note text for `cp` (validated: formatting then parsing gives `cp`). */
export function formatCheckpoint(cp: Checkpoint): string {
  if (cp.origin.includes('\n')) throw malformed('origin must be one line');
  if (cp.extensions.some((l) => l.includes('\n')))
    throw malformed('extension lines must not contain newlines');
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) {
    throw new CheckpointError(
      'SIZE_INVALID',
      `tree size must be a non-negative safe integer, got ${cp.size}`,
    );
  }
  const text = [cp.origin, String(cp.size), encodeBase64(cp.rootHash), ...cp.extensions]
    .map((l) => `${l}\n`)
    .join('');
  parseCheckpoint(text);
  return text;
}

/** Sign a checkpoint as a note. */
export function signCheckpoint(cp: Checkpoint, signers: readonly NoteSigner[]): Promise<string> {
  return signNote(formatCheckpoint(cp), signers);
}

/**
 * Verify a checkpoint note signed by `logVerifier` and parse it. The origin line must
 * equal `options.origin`, or the log key's name when no origin is given.
 */
export function openCheckpoint(
  note: string | Uint8Array,
  logVerifier: NoteVerifier,
  options: OpenCheckpointOptions = {},
): OpenedCheckpoint {
  const verifiers = [logVerifier, ...(options.otherVerifiers ?? [])];
  const opened = verifyNote(note, verifiers, options);
  const own = opened.verified.filter(
    (s) => s.name === logVerifier.name && s.keyId === logVerifier.keyId,
  );
  if (own.length === 0) {
    throw new CheckpointError(
      'LOG_SIGNATURE_MISSING',
      `checkpoint is not signed by the log key ${logVerifier.name}; other signatures do not vouch for a log's tree`,
    );
  }
  const checkpoint = parseCheckpoint(opened.text);
  const origin = options.origin ?? logVerifier.name;
  if (checkpoint.origin !== origin) {
    throw new CheckpointError(
      'ORIGIN_MISMATCH',
      `checkpoint is from log ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(origin)}`,
    );
  }
  const others = opened.verified.filter((s) => !own.includes(s));
  return { checkpoint, text: opened.text, verified: [...own, ...others] };
}

function malformed(why: string): CheckpointError {
  return new CheckpointError('CHECKPOINT_MALFORMED', `not a checkpoint: ${why}`);
}
