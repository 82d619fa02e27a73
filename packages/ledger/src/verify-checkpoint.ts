/** Opening checkpoint notes during verification, with or without the log key. */
import { isCairnError, openCheckpoint, parseCheckpoint, parseNote } from '@cairn/core';
import type { Checkpoint, NoteVerifier } from '@cairn/core';

export interface CheckpointCheckOptions {
  /** The log's note verifier key; without it signatures are not checked. */
  readonly verifier?: NoteVerifier;
  /** Expected origin (default: the verifier's key name). */
  readonly origin?: string;
}

/**
 * Parse a checkpoint note, verifying its signature when a verifier is given.
 * Returns the checkpoint, or the reason it was refused.
 */
export function readCheckpoint(
  note: string | Uint8Array,
  o: CheckpointCheckOptions,
): { checkpoint: Checkpoint } | { problem: string } {
  try {
    if (o.verifier !== undefined) {
      const opened = openCheckpoint(
        note,
        o.verifier,
        o.origin === undefined ? {} : { origin: o.origin },
      );
      return { checkpoint: opened.checkpoint };
    }
    const checkpoint = parseCheckpoint(parseNote(note).text);
    if (o.origin !== undefined && checkpoint.origin !== o.origin) {
      return {
        problem: `it is from log ${JSON.stringify(checkpoint.origin)}, not ${JSON.stringify(o.origin)}`,
      };
    }
    return { checkpoint };
  } catch (err) {
    if (isCairnError(err)) return { problem: `${err.code}: ${err.message}` };
    throw err;
  }
}
