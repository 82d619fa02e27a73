import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian/Ubuntu put the SoftHSM2 PKCS#11 module (first that exists wins). */
const MODULE_PATHS = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
];

/** The SoftHSM2 module path ($SOFTHSM2_MODULE overrides), or undefined if not installed. */
export function softHsmModule(): string | undefined {
  const env = process.env['SOFTHSM2_MODULE'];
  if (env) return env;
  return MODULE_PATHS.find((p) => existsSync(p));
}

export interface SoftHsmToken {
  /** PKCS#11 module path. */
  readonly module: string;
  readonly tokenLabel: string;
  /** User PIN (the SO PIN is `soPin`). */
  readonly pin: string;
  readonly soPin: string;
  /** Environment for child processes (pkcs11-tool, softhsm2-util): SOFTHSM2_CONF. */
  readonly env: { SOFTHSM2_CONF: string };
  /** The temp folder holding softhsm2.conf and the token store. */
  readonly dir: string;
  /** Restore SOFTHSM2_CONF and remove the folder. */
  cleanup(): void;
}

/**
 * A fresh SoftHSM2 token in a temp folder: writes softhsm2.conf, sets
 * process.env.SOFTHSM2_CONF (the module reads it at C_Initialize, so open key stores
 * after this call and close them all before creating the next token in the same
 * process), and runs `softhsm2-util --init-token --free`. Gate the test with
 * requireTools(t, ['softhsm2-util', 'pkcs11-tool']).
 */
export function createSoftHsmToken(
  opts: { label?: string; pin?: string; soPin?: string } = {},
): SoftHsmToken {
  const module = softHsmModule();
  if (module === undefined) {
    throw new Error(
      `SoftHSM2 module not found in ${MODULE_PATHS.join(', ')}: install softhsm2 or set SOFTHSM2_MODULE`,
    );
  }
  const tokenLabel = opts.label ?? 'cairn-test';
  const pin = opts.pin ?? '1234';
  const soPin = opts.soPin ?? '5678';
  const dir = mkdtempSync(join(tmpdir(), 'cairn-softhsm-'));
  const conf = join(dir, 'softhsm2.conf');
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens, { mode: 0o700 });
  writeFileSync(
    conf,
    `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
  );
  const env = { SOFTHSM2_CONF: conf };
  const r = spawnSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', tokenLabel, '--pin', pin, '--so-pin', soPin],
    { env: { ...process.env, ...env }, encoding: 'utf8' },
  );
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`softhsm2-util --init-token failed (${r.status}): ${r.stderr || r.stdout}`);
  }
  const previous = process.env['SOFTHSM2_CONF'];
  process.env['SOFTHSM2_CONF'] = conf;
  return {
    module,
    tokenLabel,
    pin,
    soPin,
    env,
    dir,
    cleanup() {
      if (process.env['SOFTHSM2_CONF'] === conf) {
        if (previous === undefined) delete process.env['SOFTHSM2_CONF'];
        else process.env['SOFTHSM2_CONF'] = previous;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
