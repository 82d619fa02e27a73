import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '@cairn/cli';
import { createSoftHsmToken, requireTools, captureIo } from '@cairn/testkit';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

test('cairn keys with the software keystore', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-cli-keys-'));
  process.env['CAIRN_TEST_KS_PASS'] = 'cli-pass';
  const ks = ['--keystore', join(dir, 'ks'), '--passphrase-env', 'CAIRN_TEST_KS_PASS'];
  try {
    await t.test('--help for each command', async () => {
      for (const sub of ['generate', 'list', 'show']) {
        const r = await run(['keys', sub, '--help']);
        assert.equal(r.code, 0);
        assert.match(r.out, new RegExp(`Usage: cairn keys ${sub}`));
        assert.match(r.out, /--pkcs11-module/);
      }
    });

    await t.test('generate, list, show (text and --json)', async () => {
      const g = await run([
        'keys',
        'generate',
        '--label',
        'fw',
        '--type',
        'ecdsa-p256',
        '--json',
        ...ks,
      ]);
      assert.equal(g.code, 0, g.err);
      assert.match(g.err, /not an HSM/);
      const gen = JSON.parse(g.out) as { label: string; type: string; spkiSha256: string };
      assert.deepEqual([gen.label, gen.type], ['fw', 'ecdsa-p256']);

      const l = await run(['keys', 'list', '--json', ...ks]);
      assert.equal(l.code, 0, l.err);
      const listed = JSON.parse(l.out) as { keys: { label: string; spkiSha256: string }[] };
      assert.deepEqual(
        listed.keys.map((k) => [k.label, k.spkiSha256]),
        [['fw', gen.spkiSha256]],
      );

      const s = await run(['keys', 'show', 'fw', '--json', ...ks]);
      assert.equal(s.code, 0, s.err);
      const shown = JSON.parse(s.out) as {
        publicKeyPem: string;
        spkiSha256: string;
        backend: string;
      };
      assert.equal(shown.backend, 'software');
      assert.equal(shown.spkiSha256, gen.spkiSha256);
      assert.equal(
        createPublicKey(shown.publicKeyPem).asymmetricKeyDetails?.namedCurve,
        'prime256v1',
      );

      const text = await run(['keys', 'show', 'fw', ...ks]);
      assert.match(text.out, /-----BEGIN PUBLIC KEY-----/);
      assert.ok(text.out.includes(gen.spkiSha256));
    });

    await t.test(
      'errors: taken label, unknown key, bad type, no store, wrong passphrase',
      async () => {
        const dup = await run(['keys', 'generate', '--label', 'fw', '--type', 'ecdsa-p256', ...ks]);
        assert.equal(dup.code, 1);
        assert.match(dup.err, /KEY_EXISTS/);
        const missing = await run(['keys', 'show', 'nope', ...ks]);
        assert.equal(missing.code, 1);
        assert.match(missing.err, /KEY_NOT_FOUND/);
        const badType = await run(['keys', 'generate', '--label', 'x', '--type', 'dsa', ...ks]);
        assert.equal(badType.code, 2);
        assert.match(badType.err, /--type must be one of/);
        const saved = {
          m: process.env['CAIRN_PKCS11_MODULE'],
          d: process.env['CAIRN_KEYSTORE_DIR'],
        };
        delete process.env['CAIRN_PKCS11_MODULE'];
        delete process.env['CAIRN_KEYSTORE_DIR'];
        const none = await run(['keys', 'list']);
        if (saved.m !== undefined) process.env['CAIRN_PKCS11_MODULE'] = saved.m;
        if (saved.d !== undefined) process.env['CAIRN_KEYSTORE_DIR'] = saved.d;
        assert.equal(none.code, 2);
        assert.match(none.err, /no key store/);
        process.env['CAIRN_TEST_KS_WRONG'] = 'wrong';
        const wrong = await run([
          'keys',
          'list',
          '--keystore',
          join(dir, 'ks'),
          '--passphrase-env',
          'CAIRN_TEST_KS_WRONG',
        ]);
        assert.equal(wrong.code, 3);
        assert.match(wrong.err, /PASSPHRASE_INCORRECT/);
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cairn keys with a PKCS#11 token (SoftHSM2)', async (t) => {
  if (!requireTools(t, ['softhsm2-util', 'pkcs11-tool'])) return;
  const token = createSoftHsmToken({ label: 'cli' });
  process.env['CAIRN_TEST_PIN'] = token.pin;
  const hsm = ['--pkcs11-module', token.module, '--token', 'cli', '--pin-env', 'CAIRN_TEST_PIN'];
  try {
    const g = await run(['keys', 'generate', '--label', 'hsm-ed', '--type', 'ed25519', ...hsm]);
    assert.equal(g.code, 0, g.err);
    assert.match(g.out, /generated ed25519 key 'hsm-ed'.*PKCS#11 token 'cli'/);
    const l = await run(['keys', 'list', ...hsm]);
    assert.equal(l.code, 0, l.err);
    assert.match(l.out, /hsm-ed\s+ed25519/);
    const badToken = await run([
      'keys',
      'list',
      '--pkcs11-module',
      token.module,
      '--token',
      'nope',
      '--pin-env',
      'CAIRN_TEST_PIN',
    ]);
    assert.equal(badToken.code, 3);
    assert.match(badToken.err, /TOKEN_NOT_FOUND/);
  } finally {
    token.cleanup();
  }
});
