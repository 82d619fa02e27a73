import { KeyError } from './errors.js';
import { Pkcs11KeyStore } from './pkcs11/store.js';
import { SoftwareKeyStore } from './software/store.js';
import type { KeyStore, KeyStoreConfig } from './types.js';

/** Open a key store: a PKCS#11 token, or the encrypted software keystore. */
export async function openKeyStore(config: KeyStoreConfig): Promise<KeyStore> {
  switch (config.backend) {
    case 'pkcs11':
      return Pkcs11KeyStore.open(config);
    case 'software':
      return SoftwareKeyStore.open(config);
    default:
      throw new KeyError(
        'CONFIG_INVALID',
        `unknown key store backend ${JSON.stringify((config as { backend?: unknown }).backend)}: use 'pkcs11' or 'software'`,
      );
  }
}
