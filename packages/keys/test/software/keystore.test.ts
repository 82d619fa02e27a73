import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openKeyStore } from '@cairn/keys';
import { assertRejectsCode } from '@cairn/testkit';

test('software keystore', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'cairn-sw-'));
  const dir = join(root, 'ks');
  const warnings: string[] = [];
  const base = { backend: 'software', dir, warn: (m: string) => warnings.push(m) } as const;
  try {
    const store = await openKeyStore({ ...base, passphrase: 'pw-one' });
    const info = await store.generate('fw-key', 'ecdsa-p256');
    await store.close();
    const file = join(dir, 'fw-key.key.json');

    await t.test('says it is not an HSM, in description and warning', () => {
      assert.match(store.description, /^SOFTWARE KEYSTORE \(not an HSM\) at /);
      assert.ok(warnings.some((w) => w.includes('not an HSM')));
    });

    await t.test('files are 0600 in a 0700 directory, no temp files left', () => {
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.deepEqual(readdirSync(dir), ['fw-key.key.json']);
    });

    await t.test(
      'the file is versioned, with scrypt N >= 2^15 and AES-256-GCM, no plaintext key',
      () => {
        const j = JSON.parse(readFileSync(file, 'utf8')) as {
          version: number;
          kdf: { name: string; log2N: number };
          cipher: { name: string };
        };
        assert.equal(j.version, 1);
        assert.equal(j.kdf.name, 'scrypt');
        assert.ok(j.kdf.log2N >= 15);
        assert.equal(j.cipher.name, 'aes-256-gcm');
        assert.doesNotMatch(readFileSync(file, 'utf8'), /PRIVATE KEY/);
      },
    );

    await t.test(
      'wrong passphrase is PASSPHRASE_INCORRECT; none is PASSPHRASE_MISSING',
      async () => {
        await assertRejectsCode(
          () => openKeyStore({ ...base, passphrase: 'wrong' }),
          'PASSPHRASE_INCORRECT',
        );
        await assertRejectsCode(() => openKeyStore(base), 'PASSPHRASE_MISSING');
        await assertRejectsCode(
          () => openKeyStore({ ...base, passphraseEnv: 'CAIRN_TEST_NO_SUCH_VAR' }),
          'PASSPHRASE_MISSING',
        );
      },
    );

    await t.test('passphrase from env and file', async () => {
      process.env['CAIRN_TEST_PASS'] = 'pw-one';
      const a = await openKeyStore({ ...base, passphraseEnv: 'CAIRN_TEST_PASS' });
      assert.equal((await a.get('fw-key')).id, info.id);
      await a.close();
      delete process.env['CAIRN_TEST_PASS'];
      writeFileSync(join(root, 'pass'), 'pw-one\n');
      const b = await openKeyStore({ ...base, passphraseFile: join(root, 'pass') });
      await b.close();
    });

    await t.test('a tampered file is KEYSTORE_CORRUPT', async () => {
      const original = readFileSync(file, 'utf8');
      const j = JSON.parse(original) as { cipher: { ciphertext: string }; type: string };
      const ct = Buffer.from(j.cipher.ciphertext, 'base64');
      ct[5] = ct[5]! ^ 1;
      writeFileSync(
        file,
        JSON.stringify({ ...j, cipher: { ...j.cipher, ciphertext: ct.toString('base64') } }),
      );
      await assertRejectsCode(
        () => openKeyStore({ ...base, passphrase: 'pw-one' }),
        'KEYSTORE_CORRUPT',
      );
      writeFileSync(file, JSON.stringify({ ...j, type: 'ecdsa-p384' }));
      await assertRejectsCode(
        () => openKeyStore({ ...base, passphrase: 'pw-one' }),
        'KEYSTORE_CORRUPT',
      );
      writeFileSync(file, original.slice(0, 40));
      await assertRejectsCode(
        () => openKeyStore({ ...base, passphrase: 'pw-one' }),
        'KEYSTORE_CORRUPT',
      );
      writeFileSync(file, original);
      const again = await openKeyStore({ ...base, passphrase: 'pw-one' });
      assert.equal((await again.list()).length, 1);
      await again.close();
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
