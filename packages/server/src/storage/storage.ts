/**
 * Content-addressed blob storage behind a streaming interface (verdaccio style), so a
 * local directory today and an S3-compatible bucket later fit the same contract.
 * Blobs are named by their SHA-256 (lower-case hex).
 */
import type { Readable } from 'node:stream';

/** Lower-case hex SHA-256 of a blob's bytes. */
export type Sha256Hex = string & { readonly __brand: 'Sha256Hex' };

export interface BlobHashes {
  readonly sha256: Sha256Hex;
  /** hawkBit DDI lists SHA-1 and MD5 too (integrity only, never trust). */
  readonly sha1: string;
  readonly md5: string;
  readonly size: number;
}

export interface PutOptions {
  /** Refuse (ARTIFACT_TOO_LARGE) once more bytes than this arrive. */
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
  /** When given, the blob must hash to it (ARTIFACT_DIGEST_INVALID otherwise). */
  readonly expectedSha256?: string;
}

/** Inclusive byte range, already resolved against the blob size. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * An upload in progress: chunks are written as they arrive (hashing as they go);
 * nothing is visible under its content address until `commit`.
 */
export interface BlobWriter {
  write(chunk: Uint8Array): Promise<void>;
  /** Stop writing; the blob is hashed and durable, but not yet visible. */
  finish(): Promise<StagedBlob>;
  /** Throw the upload away (idempotent). */
  abort(): Promise<void>;
}

export interface StagedBlob {
  readonly hashes: BlobHashes;
  /** Make it visible under its SHA-256 (idempotent if the same content is already there). */
  commit(): Promise<BlobHashes>;
  discard(): Promise<void>;
}

export interface ArtifactStorage {
  /** Start a streamed upload (for callers that verify while receiving). */
  begin(options: PutOptions): Promise<BlobWriter>;
  /** Store a whole stream and make it visible. */
  put(source: AsyncIterable<Uint8Array>, options: PutOptions): Promise<BlobHashes>;
  /** The blob's bytes, or the inclusive range of them. ARTIFACT_NOT_FOUND if absent. */
  get(sha256: string, range?: ByteRange, signal?: AbortSignal): Promise<Readable>;
  /** Size of a stored blob, or undefined. */
  stat(sha256: string): Promise<{ readonly size: number } | undefined>;
  /** Remove a blob (no error if absent). */
  delete(sha256: string): Promise<void>;
}

/** Pump a source into a writer; aborts the writer on any failure. */
export async function pipeToWriter(
  source: AsyncIterable<Uint8Array>,
  writer: BlobWriter,
): Promise<StagedBlob> {
  try {
    for await (const chunk of source) await writer.write(chunk);
    return await writer.finish();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
