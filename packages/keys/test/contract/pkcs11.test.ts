import { openKeyStore } from '@cairn/keys';
import { createSoftHsmToken, requireTools } from '@cairn/testkit';
import { keyStoreContract } from './contract.js';

keyStoreContract('PKCS#11 (SoftHSM2)', (t) => {
  if (!requireTools(t, ['softhsm2-util', 'pkcs11-tool'])) return undefined;
  const token = createSoftHsmToken({ label: 'contract' });
  return {
    open: () =>
      openKeyStore({
        backend: 'pkcs11',
        module: token.module,
        tokenLabel: token.tokenLabel,
        pin: token.pin,
      }),
    cleanup: () => {
      token.cleanup();
    },
  };
});
