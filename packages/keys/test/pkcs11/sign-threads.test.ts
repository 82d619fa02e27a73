import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import pkcs11js from 'pkcs11js';
import type { SignatureAlgorithm } from '@cairn/core';
import { isCairnError } from '@cairn/core';
import { openKeyStore, type KeyInfo, type Pkcs11KeyStoreConfig } from '@cairn/keys';
import { assertRejectsCode, createSoftHsmToken, requireTools } from '@cairn/testkit';
import { verifyWithNode } from '../contract/verify.js';

type NativeMethods = Record<string, (this: unknown, ...args: unknown[]) => unknown>;

const osThreads = (): number => readdirSync('/proc/self/task').length;

/** Close every session of the token and finalise the library, as another user of the module could. */
function resetToken(module: string, tokenLabel: string, finalize: boolean): void {
  const lib = new pkcs11js.PKCS11();
  lib.load(module);
  try {
    if (finalize) {
      lib.C_Finalize();
      return;
    }
    const slot = lib
      .C_GetSlotList(true)
      .find((s) => lib.C_GetTokenInfo(s).label.trim() === tokenLabel)!;
    lib.C_CloseAllSessions(slot);
  } finally {
    lib.close();
  }
}

test('PKCS#11 sign threads', async (t) => {
  if (!requireTools(t, ['softhsm2-util', 'pkcs11-tool'])) return;
  const token = createSoftHsmToken({ label: 'threads' });
  const config: Pkcs11KeyStoreConfig = {
    backend: 'pkcs11',
    module: token.module,
    tokenLabel: token.tokenLabel,
    pin: token.pin,
  };
  // Count C_SignInit calls made on this (the main) thread: each PKCS11 instance wraps the
  // addon's native methods when it is constructed, and a sign thread loads its own copy.
  const native = Object.getPrototypeOf(pkcs11js.PKCS11.prototype) as NativeMethods;
  const signInit = native['C_SignInit']!;
  let mainSignInits = 0;
  native['C_SignInit'] = function (this: unknown, ...args: unknown[]) {
    mainSignInits++;
    return signInit.apply(this, args);
  };
  const keys: KeyInfo[] = [];
  const msg = (i: number): Buffer => Buffer.from(`message ${i}`);
  const cases: readonly [SignatureAlgorithm, number][] = [
    ['ES256', 0],
    ['EdDSA', 1],
    ['ES384', 2],
  ];
  /** `n` concurrent signatures (sign and signDigest) over three key types, all verified. */
  async function burst(store: Awaited<ReturnType<typeof openKeyStore>>, n: number) {
    const sigs = await Promise.all(
      Array.from({ length: n }, (_, i) => {
        const [alg, k] = cases[i % cases.length]!;
        const label = keys[k]!.label;
        if (alg === 'ES256' && i % 2 === 0) {
          return store.signDigest(label, alg, createHash('sha256').update(msg(i)).digest());
        }
        return store.sign(label, alg, msg(i));
      }),
    );
    sigs.forEach((sig, i) => {
      const [alg, k] = cases[i % cases.length]!;
      assert.ok(verifyWithNode(alg, keys[k]!.publicKey, msg(i), sig), `signature ${i} (${alg})`);
    });
  }
  try {
    const setup = await openKeyStore({ ...config, signThreads: 0 });
    keys.push(await setup.generate('t-p256', 'ecdsa-p256'));
    keys.push(await setup.generate('t-ed', 'ed25519'));
    keys.push(await setup.generate('t-p384', 'ecdsa-p384'));
    await setup.close();

    await t.test('signThreads must be an integer 0..16', async () => {
      for (const signThreads of [-1, 1.5, 17, Number.NaN]) {
        const err = await assertRejectsCode(
          () => openKeyStore({ ...config, signThreads }),
          'CONFIG_INVALID',
        );
        assert.match(err.message, /signThreads must be an integer 0\.\.16/);
      }
    });

    await t.test(
      'many concurrent signatures verify and none is made on the main thread',
      async () => {
        const store = await openKeyStore({ ...config, sessions: 8 });
        try {
          const before = mainSignInits;
          await burst(store, 300);
          assert.equal(mainSignInits - before, 0, 'C_SignInit calls on the main thread');
        } finally {
          await store.close();
        }
      },
    );

    await t.test(
      'with signThreads: 0 the main thread signs (the count above sees it)',
      async () => {
        const store = await openKeyStore({ ...config, signThreads: 0 });
        try {
          const before = mainSignInits;
          await burst(store, 30);
          assert.equal(mainSignInits - before, 30);
        } finally {
          await store.close();
        }
      },
    );

    for (const signThreads of [2, 0]) {
      await t.test(
        `${signThreads} sign threads, more callers than sessions: closed sessions and a finalised library are recovered`,
        async () => {
          const store = await openKeyStore({ ...config, signThreads, sessions: 6 });
          try {
            const before = mainSignInits;
            await burst(store, 60);
            // Between bursts: SoftHSM2 frees a session's memory when it is closed, so closing
            // one while another thread is inside C_Sign on it would be a use-after-free.
            resetToken(token.module, token.tokenLabel, false);
            await burst(store, 60);
            resetToken(token.module, token.tokenLabel, true);
            await burst(store, 60);
            resetToken(token.module, token.tokenLabel, false);
            resetToken(token.module, token.tokenLabel, true);
            await burst(store, 60);
            if (signThreads > 0) assert.equal(mainSignInits - before, 0, 'main-thread C_SignInit');
          } finally {
            await store.close();
          }
        },
      );
    }

    await t.test(
      'close() ends the threads before finalising; later signatures are KEYSTORE_CLOSED',
      async (t) => {
        if (!existsSync('/proc/self/task')) {
          t.skip('needs /proc/self/task (Linux) to count threads');
          return;
        }
        const store = await openKeyStore({ ...config, signThreads: 3 });
        const idle = osThreads();
        await burst(store, 30);
        assert.ok(osThreads() >= idle + 3, 'three sign threads started on the first signature');
        // Signatures still in flight when close() is called either finish or are KEYSTORE_CLOSED.
        const inFlight = Array.from({ length: 40 }, (_, i) =>
          store.sign('t-p256', 'ES256', msg(i)).then(
            () => 'signed',
            (err: unknown) => {
              if (isCairnError(err, 'KEYSTORE_CLOSED')) return 'closed';
              throw err;
            },
          ),
        );
        await store.close();
        const outcomes = await Promise.all(inFlight);
        assert.ok(outcomes.every((o) => o === 'signed' || o === 'closed'));
        assert.ok(osThreads() <= idle, `threads left after close: ${osThreads()} > ${idle}`);
        await assertRejectsCode(() => store.sign('t-p256', 'ES256', msg(0)), 'KEYSTORE_CLOSED');
        // The library was finalised and can be used again by a new store.
        const again = await openKeyStore(config);
        try {
          await burst(again, 6);
        } finally {
          await again.close();
        }
      },
    );

    await t.test('an idle store does not keep the process alive; await close() returns', () => {
      const index = new URL('../../index.js', import.meta.url).href;
      const script = (close: boolean): string => `
        const { openKeyStore } = await import(${JSON.stringify(index)});
        const store = await openKeyStore(${JSON.stringify({ ...config, signThreads: 2 })});
        const sigs = await Promise.all([1, 2, 3, 4].map(() => store.sign('t-p256', 'ES256', Buffer.from('x'))));
        ${close ? 'await store.close();' : ''}
        console.log('signed', sigs.length);`;
      for (const close of [false, true]) {
        const file = join(token.dir, `child-${close}.mjs`);
        writeFileSync(file, script(close));
        const env: NodeJS.ProcessEnv = { ...process.env, ...token.env };
        delete env['NODE_TEST_CONTEXT'];
        const r = spawnSync(process.execPath, [file], { env, encoding: 'utf8', timeout: 20_000 });
        assert.equal(r.status, 0, `close=${close}: ${r.stderr}`);
        assert.equal(r.stdout.trim(), 'signed 4');
      }
    });

    await t.test('a bad module path is MODULE_LOAD_FAILED with sign threads', async () => {
      const err = await assertRejectsCode(
        () => openKeyStore({ ...config, module: '/nonexistent/libnothing.so', signThreads: 2 }),
        'MODULE_LOAD_FAILED',
      );
      assert.match(err.message, /\/nonexistent\/libnothing\.so/);
    });
  } finally {
    native['C_SignInit'] = signInit;
    token.cleanup();
  }
});
