import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { openKeyStore, type KeyStore } from '@cairn/keys';

/** A software key store in a fresh temp dir, closed and removed after the test. */
export async function tempKeyStore(t: TestContext): Promise<{ keys: KeyStore; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-pki-'));
  const keys = await openKeyStore({
    backend: 'software',
    dir: join(dir, 'keys'),
    passphrase: 'pki test passphrase',
    warn: () => undefined,
  });
  t.after(async () => {
    await keys.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { keys, dir };
}

let shared: Promise<{ keys: KeyStore; dir: string }> | undefined;

/**
 * One software key store for a whole test file (scrypt-protected key generation is the
 * slow part of these tests); removed when the process exits. Labels are shared.
 */
export function sharedKeyStore(): Promise<{ keys: KeyStore; dir: string }> {
  shared ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-pki-shared-'));
    process.on('exit', () => {
      rmSync(dir, { recursive: true, force: true });
    });
    const keys = await openKeyStore({
      backend: 'software',
      dir: join(dir, 'keys'),
      passphrase: 'pki test passphrase',
      warn: () => undefined,
    });
    return { keys, dir };
  })();
  return shared;
}

/** A fresh temp folder for one test's files. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-pki-files-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Write `text` to `dir/name` and return the path. */
export function put(dir: string, name: string, text: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Run openssl; returns status and combined output. */
export function openssl(args: readonly string[]): { status: number; out: string } {
  const r = spawnSync('openssl', [...args], { encoding: 'utf8' });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}
