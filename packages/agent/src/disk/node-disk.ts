import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { readFileChunks } from '../bin/file-source.js';
import type { Disk } from './disk.js';

/** The real file system, with fsync where the Disk contract says durable. */
export class NodeDisk implements Disk {
  constructor(private readonly mode = 0o600) {}

  async read(path: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(path));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async size(path: string): Promise<number | undefined> {
    try {
      return (await stat(path)).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  readChunks(path: string, chunkSize = 1024 * 1024): AsyncIterable<Uint8Array> {
    return readFileChunks(path, { chunkSize });
  }

  async write(path: string, data: Uint8Array): Promise<void> {
    const fh = await open(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC,
      this.mode,
    );
    try {
      await fh.writeFile(data);
    } finally {
      await fh.close();
    }
  }

  async append(path: string, data: Uint8Array): Promise<void> {
    const fh = await open(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND,
      this.mode,
    );
    try {
      await fh.write(data);
    } finally {
      await fh.close();
    }
  }

  async fsync(path: string): Promise<void> {
    const fh = await open(path, constants.O_RDONLY);
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  async rename(from: string, to: string): Promise<void> {
    await rename(from, to);
  }

  async fsyncDir(dir: string): Promise<void> {
    const fh = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  }

  async mkdirp(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  }

  async list(dir: string): Promise<string[]> {
    try {
      return (await readdir(dir)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}
