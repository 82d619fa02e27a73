import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Write a secret file readable by its owner only (0600, also when it already existed). */
export function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/**
 * Read a secret from `path`, or create it with a fresh random value (32 bytes, base64url).
 * `created` tells whether it is new (a new secret is shown once, then only its file).
 */
export function readOrCreateSecret(path: string): { value: string; created: boolean } {
  if (existsSync(path)) {
    const value = readFileSync(path, 'utf8').trim();
    if (value.length >= 16) return { value, created: false };
  }
  const value = randomBytes(32).toString('base64url');
  writeSecret(path, value + '\n');
  return { value, created: true };
}
