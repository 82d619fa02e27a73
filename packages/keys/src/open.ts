import { KeyError } from './errors.js';
import { SoftwareKeyStore } from './software/store.js';
import type { KeyStore, KeyStoreConfig } from './types.js';

/** Open a key store: a PKCS#11 token, or the encrypted software keystore. */
export async function openKeyStore(config: KeyStoreConfig): Promise<KeyStore> {
  switch (config.backend) {
    case 'pkcs11': {
      // Loaded on demand: pkcs11js is a native addon and an optional dependency, so an
      // install without a C++ toolchain still runs everything but the PKCS#11 backend.
      let backend: typeof import('./pkcs11/store.js');
      try {
        backend = await import('./pkcs11/store.js');
      } catch (cause) {
        throw new KeyError(
          'MODULE_LOAD_FAILED',
          `the PKCS#11 backend is not available: the pkcs11js native addon did not load (${(cause as Error).message}); ` +
            'install python3, make and a C++ compiler, then run npm ci again',
          { cause },
        );
      }
      return backend.Pkcs11KeyStore.open(config);
    }
    case 'software':
      return SoftwareKeyStore.open(config);
    default:
      throw new KeyError(
        'CONFIG_INVALID',
        `unknown key store backend ${JSON.stringify((config as { backend?: unknown }).backend)}: use 'pkcs11' or 'software'`,
      );
  }
}
