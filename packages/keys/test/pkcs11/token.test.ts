import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import pkcs11js from 'pkcs11js';
import { openKeyStore, type KeyStore } from '@cairn/keys';
import { assertRejectsCode, createSoftHsmToken, requireTools } from '@cairn/testkit';
import { verifyWithNode } from '../contract/verify.js';

// Once with the default sign threads, once signing on the main thread (signThreads: 0).
test('PKCS#11 backend on SoftHSM2', (t) => backend(t, undefined));
test('PKCS#11 backend on SoftHSM2, signThreads: 0', (t) => backend(t, 0));

async function backend(t: TestContext, signThreads: 0 | undefined): Promise<void> {
  if (!requireTools(t, ['softhsm2-util', 'pkcs11-tool'])) return;
  const token = createSoftHsmToken({ label: 'p11-only' });
  const config = {
    backend: 'pkcs11',
    module: token.module,
    tokenLabel: token.tokenLabel,
    ...(signThreads === undefined ? {} : { signThreads }),
  } as const;
  let store: KeyStore = await openKeyStore({ ...config, pin: token.pin });
  try {
    await store.generate('hsm-p256', 'ecdsa-p256');
    await store.generate('hsm-ed', 'ed25519');

    await t.test('description names the token and module', () => {
      assert.match(store.description, /^PKCS#11 token 'p11-only' \(SoftHSM/);
      assert.ok(store.description.includes(token.module));
    });

    await t.test('pkcs11-tool shows private keys sensitive and never extractable', () => {
      const r = spawnSync(
        'pkcs11-tool',
        [
          '--module',
          token.module,
          '--token-label',
          token.tokenLabel,
          '--login',
          '--pin',
          token.pin,
          '--list-objects',
          '--type',
          'privkey',
        ],
        { env: { ...process.env, ...token.env }, encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      const blocks = r.stdout
        .split(/\n(?=Private Key Object)/)
        .filter((b) => b.startsWith('Private Key Object'));
      assert.equal(blocks.length, 2, r.stdout);
      for (const b of blocks) {
        const access = /Access:\s*(.*)/.exec(b)?.[1] ?? '';
        for (const flag of ['sensitive', 'always sensitive', 'never extractable']) {
          assert.ok(
            access
              .split(',')
              .map((s) => s.trim())
              .includes(flag),
            `${flag} in "${access}"`,
          );
        }
        assert.doesNotMatch(access, /(^|, )extractable/);
      }
    });

    await t.test('the private value cannot be read through the API', () => {
      const lib = new pkcs11js.PKCS11();
      lib.load(token.module);
      const slot = lib
        .C_GetSlotList(true)
        .find((s) => lib.C_GetTokenInfo(s).label.trim() === token.tokenLabel)!;
      const s = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
      try {
        lib.C_FindObjectsInit(s, [
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
          { type: pkcs11js.CKA_LABEL, value: 'hsm-p256' },
        ]);
        const [h] = lib.C_FindObjects(s, 1);
        lib.C_FindObjectsFinal(s);
        assert.ok(h, 'private key found');
        assert.throws(
          () => lib.C_GetAttributeValue(s, h, [{ type: pkcs11js.CKA_VALUE }]),
          /CKR_ATTRIBUTE_SENSITIVE/,
        );
        const [extractable, sensitive] = lib.C_GetAttributeValue(s, h, [
          { type: pkcs11js.CKA_EXTRACTABLE },
          { type: pkcs11js.CKA_SENSITIVE },
        ]);
        assert.deepEqual([extractable?.value[0], sensitive?.value[0]], [0, 1]);
      } finally {
        lib.C_CloseSession(s);
        lib.close();
      }
    });

    await t.test('recovers after every session is closed behind its back', async () => {
      const lib = new pkcs11js.PKCS11();
      lib.load(token.module);
      const slot = lib
        .C_GetSlotList(true)
        .find((s) => lib.C_GetTokenInfo(s).label.trim() === token.tokenLabel)!;
      lib.C_CloseAllSessions(slot);
      lib.close();
      const info = await store.get('hsm-p256');
      const msg = Buffer.from('after CloseAllSessions');
      assert.ok(
        verifyWithNode('ES256', info.publicKey, msg, await store.sign('hsm-p256', 'ES256', msg)),
      );
    });

    await t.test('recovers after the library is finalised behind its back', async () => {
      const lib = new pkcs11js.PKCS11();
      lib.load(token.module);
      lib.C_Finalize();
      lib.close();
      const info = await store.get('hsm-ed');
      const msg = Buffer.from('after C_Finalize');
      const sigs = await Promise.all(
        [1, 2, 3, 4, 5, 6].map(() => store.sign('hsm-ed', 'EdDSA', msg)),
      );
      for (const sig of sigs) assert.ok(verifyWithNode('EdDSA', info.publicKey, msg, sig));
    });

    await store.close();

    await t.test(
      'wrong PIN is PIN_INCORRECT; no PIN is PIN_MISSING; PIN from a file works',
      async () => {
        await assertRejectsCode(() => openKeyStore({ ...config, pin: '9999' }), 'PIN_INCORRECT');
        await assertRejectsCode(() => openKeyStore(config), 'PIN_MISSING');
        await assertRejectsCode(
          () => openKeyStore({ ...config, pinEnv: 'CAIRN_TEST_NO_SUCH_VAR' }),
          'PIN_MISSING',
        );
        const pinFile = join(token.dir, 'pin');
        writeFileSync(pinFile, `${token.pin}\n`);
        store = await openKeyStore({ ...config, pinFile });
        assert.equal((await store.list()).length, 2);
        await store.close();
      },
    );

    await t.test('missing token is TOKEN_NOT_FOUND naming the tokens present', async () => {
      const err = await assertRejectsCode(
        () => openKeyStore({ ...config, tokenLabel: 'nope', pin: token.pin }),
        'TOKEN_NOT_FOUND',
      );
      assert.match(err.message, /'p11-only'/);
    });

    await t.test('bad module path is MODULE_LOAD_FAILED suggesting softhsm2', async () => {
      const err = await assertRejectsCode(
        () => openKeyStore({ ...config, module: '/nonexistent/libnothing.so', pin: token.pin }),
        'MODULE_LOAD_FAILED',
      );
      assert.match(err.message, /\/nonexistent\/libnothing\.so/);
      assert.match(err.message, /softhsm2/);
    });
  } finally {
    await store.close();
    token.cleanup();
  }
}
