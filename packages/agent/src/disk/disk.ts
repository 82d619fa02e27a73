/**
 * The agent's only way to persistent storage. Every operation that matters for crash
 * safety is a separate call (write, fsync, rename, fsync of the directory), so a power
 * cut can be injected between any two of them (see SimDisk) and the code above proves
 * it stays consistent. Paths are absolute, '/'-separated.
 */
export interface Disk {
  /** The whole file, or undefined when it does not exist. */
  read(path: string): Promise<Uint8Array | undefined>;
  /** The file's size in bytes, or undefined when it does not exist. */
  size(path: string): Promise<number | undefined>;
  /**
   * The file in chunks of at most `chunkSize` bytes (default 1 MiB), for files too large to
   * hold in memory (a staged bundle). A chunk stays valid until the consumer has pulled the
   * next two: buffers may be reused, so memory stays constant whatever the file size.
   */
  readChunks(path: string, chunkSize?: number): AsyncIterable<Uint8Array>;
  /** Replace the file's content (created if missing). Not durable until fsync. */
  write(path: string, data: Uint8Array): Promise<void>;
  /**
   * Append to the file (created if missing). Not durable until fsync; a power cut may
   * leave a prefix of the appended bytes.
   */
  append(path: string, data: Uint8Array): Promise<void>;
  /** Make the file's content durable. */
  fsync(path: string): Promise<void>;
  /** Atomically replace `to` by `from`. Not durable until fsyncDir of the directory. */
  rename(from: string, to: string): Promise<void>;
  /** Make the directory's entries (creations, renames, removals) durable. */
  fsyncDir(dir: string): Promise<void>;
  remove(path: string): Promise<void>;
  mkdirp(dir: string): Promise<void>;
  list(dir: string): Promise<string[]>;
}

export function dirnameOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/**
 * Write a file so that after a crash it holds either the old or the new content, never
 * a mix: write a temporary file, fsync it, rename over the target, fsync the directory.
 */
export async function writeFileAtomic(disk: Disk, path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  await disk.write(tmp, data);
  await disk.fsync(tmp);
  await disk.rename(tmp, path);
  await disk.fsyncDir(dirnameOf(path));
}
