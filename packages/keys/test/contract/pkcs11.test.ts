import type { TestContext } from 'node:test';
import { openKeyStore } from '@cairn/keys';
import { createSoftHsmToken, requireTools } from '@cairn/testkit';
import { keyStoreContract, type ContractFixture } from './contract.js';

// Once with the default sign threads, once signing on the main thread (signThreads: 0).
keyStoreContract('PKCS#11 (SoftHSM2)', (t) => fixture(t, undefined));
keyStoreContract('PKCS#11 (SoftHSM2, signThreads: 0)', (t) => fixture(t, 0));

function fixture(t: TestContext, signThreads: 0 | undefined): ContractFixture | undefined {
  if (!requireTools(t, ['softhsm2-util', 'pkcs11-tool'])) return undefined;
  const token = createSoftHsmToken({ label: 'contract' });
  return {
    open: () =>
      openKeyStore({
        backend: 'pkcs11',
        module: token.module,
        tokenLabel: token.tokenLabel,
        pin: token.pin,
        ...(signThreads === undefined ? {} : { signThreads }),
      }),
    cleanup: () => {
      token.cleanup();
    },
  };
}
