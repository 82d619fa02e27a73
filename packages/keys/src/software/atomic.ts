import { closeSync, fsyncSync, linkSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Create `dir/name` atomically and without replacing an existing file: write a temp file
 * (mode 0600), fsync it, hard-link it to the final name (fails with EEXIST if taken),
 * remove the temp name, fsync the directory. Readers see no file or the whole file.
 */
export function createFileAtomic(dir: string, name: string, data: Uint8Array): void {
  const tmp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    try {
      let off = 0;
      while (off < data.length) off += writeSync(fd, data, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(tmp, join(dir, name));
  } finally {
    unlinkSync(tmp);
  }
  fsyncDir(dir);
}
