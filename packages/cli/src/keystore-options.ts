import { isCairnError } from '@cairn/core';
import { openKeyStore, type KeyStore, type KeyStoreConfig } from '@cairn/keys';
import { EXIT, UsageError, type CommandContext, type Io, type Options } from './command.js';

/** Options every command that opens a key store accepts (keys, pki, sign…). */
export const KEYSTORE_OPTIONS: Options = Object.freeze({
  'pkcs11-module': { type: 'string' },
  token: { type: 'string' },
  'pin-env': { type: 'string' },
  'pin-file': { type: 'string' },
  keystore: { type: 'string' },
  'passphrase-env': { type: 'string' },
  'passphrase-file': { type: 'string' },
});

export const KEYSTORE_HELP = `Key store (options, else environment):
  --pkcs11-module PATH   PKCS#11 module (.so)          [CAIRN_PKCS11_MODULE]
  --token LABEL          token label                    [CAIRN_PKCS11_TOKEN]
  --pin-env VAR | --pin-file FILE   user PIN            [default: env CAIRN_PKCS11_PIN]
  --keystore DIR         software keystore (NOT an HSM) [CAIRN_KEYSTORE_DIR]
  --passphrase-env VAR | --passphrase-file FILE         [default: env CAIRN_KEYSTORE_PASSPHRASE]`;

type Values = CommandContext['values'];

const str = (v: Values, k: string): string | undefined => {
  const x = v[k];
  return typeof x === 'string' && x !== '' ? x : undefined;
};

/** The key store config chosen by command-line options, falling back to the environment. */
export function keyStoreConfigFromOptions(
  values: Values,
  env: NodeJS.ProcessEnv = process.env,
  warn?: (message: string) => void,
): KeyStoreConfig {
  if (str(values, 'pkcs11-module') !== undefined && str(values, 'keystore') !== undefined) {
    throw new UsageError('give either --pkcs11-module (an HSM) or --keystore (software), not both');
  }
  const module =
    str(values, 'pkcs11-module') ??
    (str(values, 'keystore') ? undefined : env['CAIRN_PKCS11_MODULE']);
  if (module) {
    const tokenLabel = str(values, 'token') ?? env['CAIRN_PKCS11_TOKEN'];
    if (!tokenLabel)
      throw new UsageError(
        '--token LABEL (or CAIRN_PKCS11_TOKEN) is required with a PKCS#11 module',
      );
    const pinFile = str(values, 'pin-file');
    if (pinFile !== undefined && str(values, 'pin-env') !== undefined)
      throw new UsageError('give --pin-env or --pin-file, not both');
    return pinFile !== undefined
      ? { backend: 'pkcs11', module, tokenLabel, pinFile }
      : {
          backend: 'pkcs11',
          module,
          tokenLabel,
          pinEnv: str(values, 'pin-env') ?? 'CAIRN_PKCS11_PIN',
        };
  }
  const dir = str(values, 'keystore') ?? env['CAIRN_KEYSTORE_DIR'];
  if (dir) {
    const passphraseFile = str(values, 'passphrase-file');
    if (passphraseFile !== undefined && str(values, 'passphrase-env') !== undefined) {
      throw new UsageError('give --passphrase-env or --passphrase-file, not both');
    }
    const base = { backend: 'software' as const, dir, ...(warn ? { warn } : {}) };
    return passphraseFile !== undefined
      ? { ...base, passphraseFile }
      : { ...base, passphraseEnv: str(values, 'passphrase-env') ?? 'CAIRN_KEYSTORE_PASSPHRASE' };
  }
  throw new UsageError(
    'no key store: give --pkcs11-module PATH --token LABEL (HSM) or --keystore DIR (software), or set CAIRN_PKCS11_MODULE / CAIRN_KEYSTORE_DIR',
  );
}

const ENVIRONMENT_CODES = [
  'MODULE_LOAD_FAILED',
  'TOKEN_NOT_FOUND',
  'PIN_INCORRECT',
  'PIN_LOCKED',
  'PIN_MISSING',
  'PASSPHRASE_MISSING',
  'PASSPHRASE_INCORRECT',
  'KEYSTORE_CORRUPT',
  'SESSION_LOST',
  'CONFIG_INVALID',
];

/**
 * Open the key store the options choose, run `fn`, close it. Key store problems that
 * are about the environment (module, token, PIN, passphrase) exit 3; others exit 1.
 */
export async function withKeyStore(
  ctx: CommandContext,
  name: string,
  fn: (store: KeyStore) => Promise<number>,
): Promise<number> {
  const io: Io = ctx.io;
  const config = keyStoreConfigFromOptions(ctx.values, process.env, (m) => {
    io.err(m + '\n');
  });
  let store: KeyStore | undefined;
  try {
    store = await openKeyStore(config);
    return await fn(store);
  } catch (err) {
    if (isCairnError(err) && ENVIRONMENT_CODES.includes(err.code)) {
      io.err(`cairn ${name}: ${err.code}: ${err.message}\n`);
      return EXIT.ENVIRONMENT;
    }
    throw err;
  } finally {
    await store?.close();
  }
}
