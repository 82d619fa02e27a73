import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Disk } from '../disk/disk.js';
import { AgentError } from '../errors.js';

/** Where the A/B slot images live: block devices on a device, files or a SimDisk in tests. */
export interface SlotStorage {
  readonly slots: readonly string[];
  describe(slot: string): string;
  /**
   * Stream `source` into the slot from offset 0 and make it durable (fsync) before
   * returning the number of bytes written. The caller verifies what it streams.
   */
  write(slot: string, source: AsyncIterable<Uint8Array>): Promise<number>;
  /** Read back the first `size` bytes of the slot, in chunks (constant memory). */
  read(slot: string, size: number): AsyncIterable<Uint8Array>;
}

function checkSlot(slots: readonly string[], slot: string): void {
  if (!slots.includes(slot)) {
    throw new AgentError(
      'BOOT_SLOT_UNKNOWN',
      `unknown slot '${slot}': this device has slots ${slots.join(', ')}`,
    );
  }
}

const CHUNK = 1 << 20;

/** Slots as paths: block devices (written in place) or regular files (truncated to size). */
export class FileSlotStorage implements SlotStorage {
  readonly slots: readonly string[];
  constructor(private readonly paths: Readonly<Record<string, string>>) {
    this.slots = Object.keys(paths);
  }

  describe(slot: string): string {
    checkSlot(this.slots, slot);
    return this.paths[slot]!;
  }

  async write(slot: string, source: AsyncIterable<Uint8Array>): Promise<number> {
    const path = this.describe(slot);
    let isBlock = false;
    try {
      isBlock = (await stat(path)).isBlockDevice();
    } catch {
      /* created below */
    }
    const fh = await open(
      path,
      isBlock ? constants.O_WRONLY : constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC,
      0o600,
    );
    let written = 0;
    try {
      for await (const chunk of source) {
        let off = 0;
        while (off < chunk.length) {
          const { bytesWritten } = await fh.write(chunk, off, chunk.length - off, written);
          off += bytesWritten;
          written += bytesWritten;
        }
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    return written;
  }

  async *read(slot: string, size: number): AsyncIterable<Uint8Array> {
    const fh = await open(this.describe(slot), constants.O_RDONLY);
    try {
      const buf = Buffer.allocUnsafe(CHUNK);
      let pos = 0;
      while (pos < size) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, size - pos), pos);
        if (bytesRead === 0) break;
        pos += bytesRead;
        yield buf.subarray(0, bytesRead);
      }
    } finally {
      await fh.close();
    }
  }
}

/** Slots as files on a Disk (SimDisk for power-cut tests and simulated devices). */
export class DiskSlotStorage implements SlotStorage {
  constructor(
    private readonly disk: Disk,
    private readonly dir: string,
    readonly slots: readonly string[] = ['A', 'B'],
  ) {}

  describe(slot: string): string {
    checkSlot(this.slots, slot);
    return `${this.dir}/slot-${slot}.img`;
  }

  async write(slot: string, source: AsyncIterable<Uint8Array>): Promise<number> {
    const path = this.describe(slot);
    await this.disk.write(path, new Uint8Array(0));
    let written = 0;
    for await (const chunk of source) {
      await this.disk.append(path, chunk);
      written += chunk.length;
    }
    await this.disk.fsync(path);
    await this.disk.fsyncDir(this.dir); // the slot file's directory entry (a partition always exists)
    return written;
  }

  async *read(slot: string, size: number): AsyncIterable<Uint8Array> {
    const data = (await this.disk.read(this.describe(slot))) ?? new Uint8Array(0);
    for (let pos = 0; pos < Math.min(size, data.length); pos += CHUNK) {
      yield data.subarray(pos, Math.min(pos + CHUNK, size, data.length));
    }
  }
}
