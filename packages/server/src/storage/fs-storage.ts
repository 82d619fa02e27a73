/**
 * Local-filesystem ArtifactStorage: `<root>/sha256/ab/abcdef…`, written atomically
 * (temp file in `<root>/tmp`, fsync, rename, fsync of the directory).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { StorageError } from '../errors.js';
import { pipeToWriter } from './storage.js';
import type {
  ArtifactStorage,
  BlobHashes,
  BlobWriter,
  ByteRange,
  PutOptions,
  Sha256Hex,
  StagedBlob,
} from './storage.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

function assertSha256(sha256: string): asserts sha256 is Sha256Hex {
  if (!SHA256_HEX.test(sha256)) {
    throw new StorageError(
      'ARTIFACT_NOT_FOUND',
      `"${sha256.slice(0, 80)}" is not a SHA-256 in lower-case hex, so no artifact has it`,
    );
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new StorageError('ARTIFACT_ABORTED', 'the upload was aborted by the client', {
      cause: signal.reason,
    });
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

class FsBlobWriter implements BlobWriter {
  readonly #sha256: Hash = createHash('sha256');
  readonly #sha1: Hash = createHash('sha1');
  readonly #md5: Hash = createHash('md5');
  #size = 0;
  #done = false;

  constructor(
    readonly storage: FsArtifactStorage,
    readonly tmp: string,
    readonly file: FileHandle,
    readonly options: PutOptions,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    throwIfAborted(this.options.signal);
    if (this.#size + chunk.length > this.options.maxBytes) {
      throw new StorageError(
        'ARTIFACT_TOO_LARGE',
        `upload exceeds the ${this.options.maxBytes}-byte limit; raise the configured limit or upload a smaller file`,
        { details: { maxBytes: this.options.maxBytes } },
      );
    }
    this.#size += chunk.length;
    this.#sha256.update(chunk);
    this.#sha1.update(chunk);
    this.#md5.update(chunk);
    let off = 0;
    while (off < chunk.length) {
      const { bytesWritten } = await this.file.write(chunk, off, chunk.length - off);
      off += bytesWritten;
    }
  }

  async finish(): Promise<StagedBlob> {
    throwIfAborted(this.options.signal);
    await this.file.sync();
    await this.file.close();
    this.#done = true;
    const hashes: BlobHashes = {
      sha256: this.#sha256.digest('hex') as Sha256Hex,
      sha1: this.#sha1.digest('hex'),
      md5: this.#md5.digest('hex'),
      size: this.#size,
    };
    const expected = this.options.expectedSha256;
    if (expected !== undefined && expected.toLowerCase() !== hashes.sha256) {
      await rm(this.tmp, { force: true });
      throw new StorageError(
        'ARTIFACT_DIGEST_INVALID',
        `upload hashes to SHA-256 ${hashes.sha256}, not the announced ${expected}: the file was damaged in transit`,
      );
    }
    const tmp = this.tmp;
    const storage = this.storage;
    return {
      hashes,
      async commit() {
        await storage.adopt(tmp, hashes.sha256);
        return hashes;
      },
      discard: () => rm(tmp, { force: true }),
    };
  }

  async abort(): Promise<void> {
    if (!this.#done) {
      this.#done = true;
      await this.file.close().catch(() => undefined);
    }
    await rm(this.tmp, { force: true });
  }
}

export class FsArtifactStorage implements ArtifactStorage {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  #path(sha256: Sha256Hex): string {
    return join(this.#root, 'sha256', sha256.slice(0, 2), sha256);
  }

  async begin(options: PutOptions): Promise<BlobWriter> {
    throwIfAborted(options.signal);
    const dir = join(this.#root, 'tmp');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, `${Date.now()}-${randomBytes(8).toString('hex')}.part`);
    const file = await open(tmp, 'wx', 0o600);
    return new FsBlobWriter(this, tmp, file, options);
  }

  async put(source: AsyncIterable<Uint8Array>, options: PutOptions): Promise<BlobHashes> {
    const staged = await pipeToWriter(source, await this.begin(options));
    return staged.commit();
  }

  /** Move a finished temp file to its content address (internal to this module). */
  async adopt(tmp: string, sha256: Sha256Hex): Promise<void> {
    const target = this.#path(sha256);
    const dir = join(this.#root, 'sha256', sha256.slice(0, 2));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // Same content under the same name: renaming over it is harmless and atomic.
    await rename(tmp, target);
    await fsyncDir(dir);
  }

  async get(sha256: string, range?: ByteRange, signal?: AbortSignal): Promise<Readable> {
    assertSha256(sha256);
    const path = this.#path(sha256);
    const st = await this.stat(sha256);
    if (st === undefined) {
      throw new StorageError('ARTIFACT_NOT_FOUND', `no artifact with SHA-256 ${sha256} is stored`);
    }
    if (
      range !== undefined &&
      (range.start < 0 || range.end >= st.size || range.start > range.end)
    ) {
      throw new StorageError(
        'ARTIFACT_RANGE_NOT_SATISFIABLE',
        `bytes ${range.start}-${range.end} are outside the ${st.size}-byte artifact`,
        { details: { size: st.size } },
      );
    }
    return createReadStream(path, {
      ...(range === undefined ? {} : { start: range.start, end: range.end }),
      ...(signal === undefined ? {} : { signal }),
      highWaterMark: 256 * 1024,
    });
  }

  async stat(sha256: string): Promise<{ readonly size: number } | undefined> {
    assertSha256(sha256);
    try {
      const s = await stat(this.#path(sha256));
      return { size: s.size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async delete(sha256: string): Promise<void> {
    assertSha256(sha256);
    await rm(this.#path(sha256), { force: true });
  }
}
