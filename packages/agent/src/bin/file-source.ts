import { open } from 'node:fs/promises';

export interface FileChunksOptions {
  /** Bytes per read (default 1 MiB). */
  readonly chunkSize?: number;
  /**
   * Buffers reused in turn (default 3). A chunk stays valid until the consumer has pulled
   * `ring - 1` further chunks: the install pipeline (bundle reader, payload check, slot
   * write) is done with each chunk before it pulls the next, so memory stays constant and
   * no garbage is made per chunk.
   */
  readonly ring?: number;
  readonly signal?: AbortSignal;
}

/**
 * A file as a stream of chunks read with positional reads into a small ring of reused
 * buffers: the agent's source for a bundle on a USB stick or SD card. Memory is
 * `ring × chunkSize` whatever the file size (1 GiB and 4 GiB images alike).
 */
export async function* readFileChunks(
  path: string,
  opts: FileChunksOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const size = opts.chunkSize ?? 1024 * 1024;
  const buffers = Array.from({ length: Math.max(2, opts.ring ?? 3) }, () =>
    Buffer.allocUnsafe(size),
  );
  const fh = await open(path, 'r');
  try {
    let pos = 0;
    for (let i = 0; ; i++) {
      opts.signal?.throwIfAborted();
      const buf = buffers[i % buffers.length]!;
      const { bytesRead } = await fh.read(buf, 0, size, pos);
      if (bytesRead === 0) return;
      pos += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
