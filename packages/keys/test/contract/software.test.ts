import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openKeyStore } from '@cairn/keys';
import { keyStoreContract } from './contract.js';

keyStoreContract('software keystore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-keystore-'));
  return {
    open: () =>
      openKeyStore({
        backend: 'software',
        dir: join(dir, 'keys'),
        passphrase: 'correct horse battery staple',
        warn: () => undefined,
      }),
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
