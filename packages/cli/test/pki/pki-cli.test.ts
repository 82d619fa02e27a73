import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '@cairn/cli';
import { requireTools, captureIo } from '@cairn/testkit';

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo();
  const code = await main(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

function openssl(args: string[]): { status: number; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

test('cairn pki: init → issue → revoke → crl, checked with openssl', async (t) => {
  if (!requireTools(t, ['openssl'])) return;
  const dir = mkdtempSync(join(tmpdir(), 'cairn-cli-pki-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  process.env['CAIRN_TEST_PKI_PASS'] = 'cli pki test passphrase';
  const data = join(dir, 'data');
  const ks = [
    '--data',
    data,
    '--keystore',
    join(dir, 'keys'),
    '--passphrase-env',
    'CAIRN_TEST_PKI_PASS',
  ];

  const init = await run(['pki', 'init', ...ks, '--ca-key-type', 'ecdsa-p256', '--json']);
  assert.equal(init.code, 0, init.stderr);
  const summary = JSON.parse(init.stdout) as {
    files: { root: string; issuing: string; codeSigning: string };
    codeSigning: { keyGenerated: boolean };
  };
  assert.equal(summary.codeSigning.keyGenerated, true);
  const chain = ['-CAfile', summary.files.root, '-untrusted', summary.files.issuing];
  assert.equal(openssl(['verify', ...chain, summary.files.codeSigning]).status, 0);
  assert.match(
    openssl(['x509', '-in', summary.files.codeSigning, '-noout', '-text']).out,
    /Code Signing/,
  );

  const again = await run(['pki', 'init', ...ks]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /CA_EXISTS/);

  const tlsPem = join(dir, 'tls.pem');
  const issue = await run([
    'pki',
    'issue',
    ...ks,
    '--profile',
    'tls-server',
    '--key',
    'code-signing',
    '--subject',
    'CN=ota.local,O=Acme',
    '--san',
    'ota.local',
    '--san',
    '127.0.0.1',
    '--days',
    '30',
    '-o',
    tlsPem,
    '--json',
  ]);
  assert.equal(issue.code, 0, issue.stderr);
  const { serial } = JSON.parse(issue.stdout) as { serial: string };
  const v = openssl(['verify', '-purpose', 'sslserver', ...chain, tlsPem]);
  assert.equal(v.status, 0, v.out);

  const noSan = await run([
    'pki',
    'issue',
    ...ks,
    '--profile',
    'tls-server',
    '--key',
    'code-signing',
    '--subject',
    'x',
  ]);
  assert.equal(noSan.code, 1);
  assert.match(noSan.stderr, /PROFILE_VIOLATION/);
  assert.equal((await run(['pki', 'issue', ...ks, '--profile', 'nope', '--key', 'k'])).code, 2);

  const rev = await run(['pki', 'revoke', serial, ...ks, '--reason', 'keyCompromise']);
  assert.equal(rev.code, 0, rev.stderr);
  assert.equal((await run(['pki', 'revoke', serial, ...ks])).code, 1);

  const crlPem = join(dir, 'crl.pem');
  const crl = await run(['pki', 'crl', ...ks, '-o', crlPem]);
  assert.equal(crl.code, 0, crl.stderr);
  assert.equal(
    openssl(['crl', '-in', crlPem, '-CAfile', summary.files.issuing, '-noout', '-verify']).status,
    0,
  );
  const revoked = openssl(['verify', '-crl_check', '-CRLfile', crlPem, ...chain, tlsPem]);
  assert.notEqual(revoked.status, 0);
  assert.match(revoked.out, /certificate revoked/);

  const exp = await run(['pki', 'export', 'root', ...ks]);
  assert.equal(exp.code, 0, exp.stderr);
  assert.equal(exp.stdout, readFileSync(summary.files.root, 'utf8'));
  const der = join(dir, 'tls.der');
  assert.equal((await run(['pki', 'export', serial, ...ks, '--der', '-o', der])).code, 0);
  assert.equal(openssl(['x509', '-inform', 'DER', '-in', der, '-noout']).status, 0);
  assert.equal((await run(['pki', 'export', 'ffff', ...ks])).code, 1);

  const help = await run(['pki', 'issue', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--profile/);
});
