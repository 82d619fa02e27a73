import { openSync, closeSync, fstatSync, readSync } from 'node:fs';
import { KeyError, type KeyErrorCode } from './errors.js';

const MAX_SECRET_FILE = 4096;

export interface SecretSource {
  readonly value?: string | undefined;
  readonly env?: string | undefined;
  readonly file?: string | undefined;
}

/**
 * A PIN or passphrase from (first that is set) the value itself, an environment
 * variable, or a file (one trailing newline removed, at most 4 KiB). Returns undefined
 * when no source is configured; throws `missingCode` when a configured source is empty.
 */
export function readSecret(
  what: string,
  src: SecretSource,
  missingCode: KeyErrorCode,
): string | undefined {
  if (src.value !== undefined) return nonEmpty(what, src.value, 'the config', missingCode);
  if (src.env !== undefined) {
    const v = process.env[src.env];
    if (v === undefined) {
      throw new KeyError(
        missingCode,
        `${what}: environment variable ${src.env} is not set; export it or use a file`,
      );
    }
    return nonEmpty(what, v, `environment variable ${src.env}`, missingCode);
  }
  if (src.file !== undefined)
    return nonEmpty(
      what,
      readSmallFile(what, src.file, missingCode),
      `file ${src.file}`,
      missingCode,
    );
  return undefined;
}

function nonEmpty(what: string, v: string, where: string, code: KeyErrorCode): string {
  if (v === '') throw new KeyError(code, `${what} from ${where} is empty`);
  return v;
}

function readSmallFile(what: string, path: string, code: KeyErrorCode): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw new KeyError(code, `${what}: cannot read file ${path} (${(cause as Error).message})`, {
      cause,
    });
  }
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_SECRET_FILE) {
      throw new KeyError(
        code,
        `${what}: file ${path} is ${size} bytes, over the ${MAX_SECRET_FILE}-byte limit for a secret`,
      );
    }
    const buf = Buffer.alloc(size);
    const n = readSync(fd, buf, 0, size, 0);
    return buf
      .subarray(0, n)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  } finally {
    closeSync(fd);
  }
}
