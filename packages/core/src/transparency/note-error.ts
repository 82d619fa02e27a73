import { BaseError } from '../errors/base-error.js';

/**
 * Why a signed note (c2sp.org/signed-note) or a note key was refused.
 * - `NOTE_MALFORMED`: not a signed note: no blank line before the signatures, bad
 *   signature line, invalid UTF-8, control characters.
 * - `NOTE_TOO_LARGE`: the note is bigger than the configured byte cap.
 * - `TOO_MANY_SIGNATURES`: more signature lines than the cap (100).
 * - `TEXT_INVALID`: text to sign is empty, does not end in a newline, or holds
 *   characters a note may not carry.
 * - `NAME_INVALID`: a key name is empty or contains a space or `+`.
 * - `KEY_INVALID`: a verifier or signer key string is malformed or of an
 *   unsupported signature type.
 * - `KEY_ID_MISMATCH`: the key ID in a key string is not the one its name and key give.
 * - `SIGNATURE_INVALID`: a signature by a known key does not verify.
 * - `UNVERIFIED`: no signature by any known key is on the note.
 * - `VERIFIER_CONFLICT`: two verifiers share both name and key ID.
 * - `SIGNER_INVALID`: a signer is misconfigured or returned an unusable signature.
 */
export type NoteErrorCode =
  | 'NOTE_MALFORMED'
  | 'NOTE_TOO_LARGE'
  | 'TOO_MANY_SIGNATURES'
  | 'TEXT_INVALID'
  | 'NAME_INVALID'
  | 'KEY_INVALID'
  | 'KEY_ID_MISMATCH'
  | 'SIGNATURE_INVALID'
  | 'UNVERIFIED'
  | 'VERIFIER_CONFLICT'
  | 'SIGNER_INVALID';

export class NoteError extends BaseError<NoteErrorCode> {}
