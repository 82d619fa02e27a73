/**
 * The staging area: where a bundle the server asked the device to download but not yet
 * install (hawkBit download-only, or a deployment outside its maintenance window) waits
 * for its install. One directory on the agent's data disk holding at most one bundle,
 * named by its SHA-256 (`<sha256>.cairn`), so a later deployment of the same artifact
 * finds it by the hash the server announces. A bundle is written as `<sha256>.cairn.part`,
 * fsynced, verified and only then renamed into place (and the directory fsynced): a
 * partial or unverified file never has a complete bundle's name.
 */
import { createHash } from 'node:crypto';
import { BaseError } from '@cairn/core';
import type { Disk } from '../disk/disk.js';

const PART = '.part';
const SUFFIX = '.cairn';
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Bytes gathered before one append to the disk (a download arrives in ~16 KiB pieces). */
const WRITE_BUFFER = 1024 * 1024;

/** A bundle in the staging area. */
export interface StagedBundle {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}

export type StagedCheck =
  | { readonly ok: true; readonly bundle: StagedBundle }
  | { readonly ok: false; readonly reason: string };

export class StagingArea {
  constructor(
    private readonly disk: Disk,
    readonly dir: string,
  ) {}

  pathFor(sha256: string): string {
    return `${this.dir}/${sha256}${SUFFIX}`;
  }

  /** Complete bundles staged, by SHA-256 (at most one unless a power cut interrupted a clean-up). */
  async list(): Promise<string[]> {
    await this.disk.mkdirp(this.dir);
    return (await this.disk.list(this.dir))
      .filter((n) => n.endsWith(SUFFIX))
      .map((n) => n.slice(0, -SUFFIX.length))
      .filter((h) => SHA256_HEX.test(h));
  }

  /** Cheap presence check (name and size, no read): for a poll that changes nothing. */
  async present(sha256: string, size: number): Promise<boolean> {
    await this.disk.mkdirp(this.dir);
    return (await this.disk.size(this.pathFor(sha256))) === size;
  }

  /**
   * Read the staged bundle with this SHA-256 and size back and hash it (constant memory).
   * A file that does not match is removed: it was damaged on the device's storage.
   */
  async check(sha256: string, size: number): Promise<StagedCheck> {
    if (!SHA256_HEX.test(sha256)) return { ok: false, reason: 'no SHA-256 announced' };
    const path = this.pathFor(sha256);
    await this.disk.mkdirp(this.dir);
    const have = await this.disk.size(path);
    if (have === undefined) return { ok: false, reason: 'not staged' };
    if (have === size) {
      const h = createHash('sha256');
      for await (const chunk of this.disk.readChunks(path)) h.update(chunk);
      const got = h.digest('hex');
      if (got === sha256) return { ok: true, bundle: { path, sha256, size } };
      await this.remove(sha256);
      return { ok: false, reason: `staged file ${path} has SHA-256 ${got}: damaged, removed` };
    }
    await this.remove(sha256);
    return {
      ok: false,
      reason: `staged file ${path} is ${have} bytes, not ${size}: damaged, removed`,
    };
  }

  /** The staged bundle as a stream (for the install pipeline or verification). */
  read(bundle: StagedBundle): AsyncIterable<Uint8Array> {
    return this.disk.readChunks(bundle.path);
  }

  /** Remove every file in the staging area (bundles and partial files). */
  async clear(): Promise<void> {
    await this.disk.mkdirp(this.dir);
    const names = await this.disk.list(this.dir);
    for (const name of names) await this.disk.remove(`${this.dir}/${name}`);
    if (names.length > 0) await this.disk.fsyncDir(this.dir);
  }

  async remove(sha256: string): Promise<void> {
    await this.disk.remove(this.pathFor(sha256));
    await this.disk.fsyncDir(this.dir);
  }

  /**
   * Write a stream to a new partial file and make it durable. The caller checks what was
   * written (verification) and then calls `commit` or `discard`. Returns the byte count and
   * SHA-256 of what was written. Older bundles are removed first: the device keeps one
   * bundle, and its storage may not have room for two. When the stream fails with an error
   * `restartOn` accepts, the file is started over once from byte 0 with a new stream.
   */
  async writePartial(
    source: () => AsyncIterable<Uint8Array>,
    restartOn: (err: unknown) => boolean = () => false,
  ): Promise<PartialBundle> {
    await this.clear();
    const tmp = `${this.dir}/incoming${SUFFIX}${PART}`;
    const buf = Buffer.allocUnsafe(WRITE_BUFFER);
    for (let attempt = 1; ; attempt++) {
      await this.disk.write(tmp, new Uint8Array(0));
      const h = createHash('sha256');
      let size = 0;
      let fill = 0;
      try {
        for await (const chunk of source()) {
          h.update(chunk);
          size += chunk.length;
          let off = 0;
          while (off < chunk.length) {
            const n = Math.min(chunk.length - off, buf.length - fill);
            buf.set(chunk.subarray(off, off + n), fill);
            fill += n;
            off += n;
            if (fill === buf.length) {
              await this.disk.append(tmp, buf);
              fill = 0;
            }
          }
        }
        if (fill > 0) await this.disk.append(tmp, buf.subarray(0, fill));
        await this.disk.fsync(tmp);
      } catch (err) {
        if (attempt === 1 && restartOn(err)) continue;
        if (!(err instanceof BaseError && err.code === 'POWER_CUT')) {
          await this.disk.remove(tmp);
          await this.disk.fsyncDir(this.dir);
        }
        throw err;
      }
      return { path: tmp, sha256: h.digest('hex'), size };
    }
  }

  /** Give a verified partial file its bundle name, durably. */
  async commit(partial: PartialBundle): Promise<StagedBundle> {
    const path = this.pathFor(partial.sha256);
    await this.disk.rename(partial.path, path);
    await this.disk.fsyncDir(this.dir);
    return { path, sha256: partial.sha256, size: partial.size };
  }

  async discard(partial: PartialBundle): Promise<void> {
    await this.disk.remove(partial.path);
    await this.disk.fsyncDir(this.dir);
  }
}

export interface PartialBundle {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}
