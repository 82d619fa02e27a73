/**
 * c2sp.org/tlog-proof (https://c2sp.org/tlog-proof): an offline proof that an entry
 * is in a transparency log.
 *
 *   c2sp.org/tlog-proof@v1
 *   extra <base64>            (optional, unauthenticated)
 *   index <decimal>
 *   <base64 hash>             (zero or more: the inclusion proof, leaf sibling first)
 *                             (empty line)
 *   <checkpoint note, verbatim>
 */
import { BaseError } from '../errors/base-error.js';
import {
  decodeBase64Strict,
  decodeUtf8Strict,
  encodeBase64,
  encodeUtf8Strict,
  parseCanonicalDecimal,
} from './encoding.js';
import { openCheckpoint } from './checkpoint.js';
import type { Checkpoint, OpenCheckpointOptions } from './checkpoint.js';
import { MerkleError } from './merkle-error.js';
import { MERKLE_HASH_SIZE, leafHash as hashLeaf } from './merkle-hash.js';
import { verifyInclusion } from './merkle-verify.js';
import type { NoteVerifier } from './note-ed25519.js';
import type { NoteSignature } from './signed-note.js';

/**
 * - `PROOF_MALFORMED`: not the tlog-proof line grammar.
 * - `PROOF_TOO_LARGE`: bigger than the byte cap, or more hashes than any tree needs.
 * - `NOT_INCLUDED`: the checkpoint is genuine but the entry is not proven in it.
 */
export type TlogProofErrorCode = 'PROOF_MALFORMED' | 'PROOF_TOO_LARGE' | 'NOT_INCLUDED';

export class TlogProofError extends BaseError<TlogProofErrorCode> {}

export interface TlogProof {
  /** Opaque application data; NOT authenticated. */
  readonly extra?: Uint8Array;
  /** Zero-based index of the entry in the log. */
  readonly index: number;
  /** Inclusion proof hashes, from the leaf's sibling up. */
  readonly inclusionProof: readonly Uint8Array[];
  /** The signed checkpoint note, verbatim. */
  readonly checkpoint: string;
}

export interface TlogProofLimits {
  /** Cap on the whole proof in bytes; default `TLOG_PROOF_DEFAULT_MAX_BYTES`. */
  readonly maxBytes?: number;
}

/** The entry the proof is for: its data (hashed as an RFC 6962 leaf) or leaf hash. */
export type TlogProofLeaf = { readonly data: Uint8Array } | { readonly leafHash: Uint8Array };

export interface VerifiedTlogProof {
  readonly checkpoint: Checkpoint;
  readonly index: number;
  /** Unauthenticated extra data, if any: never trust it implicitly. */
  readonly extra?: Uint8Array;
  readonly verified: readonly NoteSignature[];
}

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';
export const TLOG_PROOF_DEFAULT_MAX_BYTES = 256 * 1024;
/** A tree of at most 2^53 leaves needs at most 53 proof hashes. */
const MAX_PROOF_HASHES = 64;

/** Parse a tlog-proof. The checkpoint is returned verbatim, not yet verified. */
export function parseTlogProof(
  input: string | Uint8Array,
  limits: TlogProofLimits = {},
): TlogProof {
  const maxBytes = limits.maxBytes ?? TLOG_PROOF_DEFAULT_MAX_BYTES;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > maxBytes) {
    throw new TlogProofError(
      'PROOF_TOO_LARGE',
      `tlog proof is ${size} bytes, more than the cap of ${maxBytes}`,
    );
  }
  const text = typeof input === 'string' ? input : decodeUtf8Strict(input);
  if (text === undefined) throw malformed('it is not valid UTF-8');

  let pos = 0;
  const nextLine = (what: string): string => {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) throw malformed(`truncated before the end of the ${what} line`);
    const line = text.slice(pos, nl);
    pos = nl + 1;
    return line;
  };

  if (nextLine('header') !== TLOG_PROOF_HEADER)
    throw malformed(`first line must be ${TLOG_PROOF_HEADER}`);
  let line = nextLine('index');
  let extra: Uint8Array | undefined;
  if (line.startsWith('extra ')) {
    extra = decodeBase64Strict(line.slice('extra '.length));
    if (extra === undefined || extra.length === 0) {
      throw malformed('extra line must carry non-empty canonical base64');
    }
    line = nextLine('index');
  }
  if (!line.startsWith('index ')) throw malformed('expected an "index <decimal>" line');
  const index = parseCanonicalDecimal(line.slice('index '.length));
  if (index === undefined) {
    throw malformed('index must be a decimal without sign or leading zeros that fits 2^53');
  }
  const inclusionProof: Uint8Array[] = [];
  for (;;) {
    line = nextLine('inclusion proof');
    if (line === '') break;
    if (inclusionProof.length === MAX_PROOF_HASHES) {
      throw new TlogProofError(
        'PROOF_TOO_LARGE',
        `more than ${MAX_PROOF_HASHES} inclusion proof hashes`,
      );
    }
    const hash = decodeBase64Strict(line);
    if (hash?.length !== MERKLE_HASH_SIZE) {
      throw malformed(
        `inclusion proof line ${inclusionProof.length + 1} is not base64 of a ${MERKLE_HASH_SIZE}-byte hash`,
      );
    }
    inclusionProof.push(hash);
  }
  const checkpoint = text.slice(pos);
  if (checkpoint === '') throw malformed('the checkpoint is missing after the empty line');
  return extra === undefined
    ? { index, inclusionProof, checkpoint }
    : { extra, index, inclusionProof, checkpoint };
}

/** Encode a tlog-proof. */
export function formatTlogProof(proof: TlogProof): string {
  if (!Number.isSafeInteger(proof.index) || proof.index < 0) {
    throw malformed(`index must be a non-negative safe integer, got ${proof.index}`);
  }
  if (proof.inclusionProof.length > MAX_PROOF_HASHES) {
    throw new TlogProofError(
      'PROOF_TOO_LARGE',
      `more than ${MAX_PROOF_HASHES} inclusion proof hashes`,
    );
  }
  proof.inclusionProof.forEach((h, i) => {
    if (h.length !== MERKLE_HASH_SIZE)
      throw malformed(`inclusion proof hash ${i} is not ${MERKLE_HASH_SIZE} bytes`);
  });
  if (proof.checkpoint === '' || encodeUtf8Strict(proof.checkpoint) === undefined) {
    throw malformed('checkpoint must be a non-empty, valid UTF-8 note');
  }
  const lines = [TLOG_PROOF_HEADER];
  if (proof.extra !== undefined && proof.extra.length > 0)
    lines.push(`extra ${encodeBase64(proof.extra)}`);
  lines.push(`index ${proof.index}`, ...proof.inclusionProof.map(encodeBase64), '');
  return `${lines.join('\n')}\n${proof.checkpoint}`;
}

/**
 * Verify an offline proof: (1) parse it, (2) open the checkpoint with the log's key
 * (and origin, see `openCheckpoint`), (3) check the entry's inclusion in that tree.
 */
export function verifyTlogProof(
  proof: string | Uint8Array | TlogProof,
  leaf: TlogProofLeaf,
  logVerifier: NoteVerifier,
  options: OpenCheckpointOptions & TlogProofLimits = {},
): VerifiedTlogProof {
  const parsed =
    typeof proof === 'string' || proof instanceof Uint8Array
      ? parseTlogProof(proof, options)
      : proof;
  const opened = openCheckpoint(parsed.checkpoint, logVerifier, options);
  const { checkpoint } = opened;
  const leafHash = 'data' in leaf ? hashLeaf(leaf.data) : leaf.leafHash;
  try {
    verifyInclusion({
      leafIndex: parsed.index,
      treeSize: checkpoint.size,
      leafHash,
      proof: parsed.inclusionProof,
      root: checkpoint.rootHash,
    });
  } catch (cause) {
    if (!(cause instanceof MerkleError)) throw cause;
    throw new TlogProofError(
      'NOT_INCLUDED',
      `entry ${parsed.index} is not proven to be in ${checkpoint.origin} at size ${checkpoint.size}: ${cause.message}`,
      { cause },
    );
  }
  const base = { checkpoint, index: parsed.index, verified: opened.verified };
  return parsed.extra === undefined ? base : { ...base, extra: parsed.extra };
}

function malformed(why: string): TlogProofError {
  return new TlogProofError('PROOF_MALFORMED', `not a c2sp.org/tlog-proof@v1: ${why}`);
}
