import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '@cairn/testkit';

const BIN = resolve(repoRoot(), 'packages', 'cli', 'dist', 'bin', 'cairn.js');

interface Running {
  out: () => string;
  err: () => string;
  urls: Promise<{ signer: string; server: string }>;
  stop(): Promise<number | null>;
}

function up(dataDir: string): Running {
  const child = spawn(process.execPath, [BIN, 'up', '--data', dataDir], {
    env: { ...process.env, CAIRN_SIGNER_PORT: '0', CAIRN_SERVER_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((r) =>
    child.on('exit', (code) => {
      r(code);
    }),
  );
  const urls = new Promise<{ signer: string; server: string }>((res, rej) => {
    const timer = setTimeout(() => {
      rej(new Error(`cairn up did not start in 60 s:\n${err}`));
    }, 60_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const s = /signing service\s+(\S+)/.exec(out);
      const v = /update server\s+(https:\S+)/.exec(out);
      if (s && v && out.includes('Stop with Ctrl-C')) {
        clearTimeout(timer);
        res({ signer: s[1]!, server: v[1]! });
      }
    });
    void exited.then((code) => {
      rej(new Error(`cairn up exited ${code}:\n${err}`));
    });
  });
  return {
    out: () => out,
    err: () => err,
    urls,
    async stop() {
      child.kill('SIGINT');
      return exited;
    },
  };
}

function healthz(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    https
      .get(`${url}/healthz`, { ca }, (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => {
          res({ status: r.statusCode ?? 0, body });
        });
      })
      .on('error', rej);
  });
}

test('cairn up: both services answer /healthz over TLS with our CA; SIGINT stops cleanly; a restart reuses PKI and tokens', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-up-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const first = up(dir);
  const u1 = await first.urls;
  const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
  for (const url of [u1.signer, u1.server])
    assert.deepEqual(await healthz(url, ca), { status: 200, body: '{"status":"ok"}' });
  assert.match(first.err(), /SOFTWARE KEYSTORE — not an HSM/);
  assert.match(first.err(), /\[6\/6\] listening … done/);
  assert.match(first.out(), /new signer admin token: /);
  assert.match(first.out(), /cairn sign --signer /);
  for (const f of [
    'credentials/server-admin-token',
    'credentials/signer-signing-token',
    'credentials/keystore-passphrase',
    'signer/admin-token',
  ])
    assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
  const tokens = [
    'credentials/server-admin-token',
    'credentials/signer-signing-token',
    'signer/admin-token',
  ].map((f) => readFileSync(join(dir, f), 'utf8'));
  assert.equal(await first.stop(), 0);
  assert.match(first.err(), /stopped cleanly/);

  const second = up(dir);
  const u2 = await second.urls;
  assert.equal(readFileSync(join(dir, 'ca.pem'), 'utf8'), ca, 'same root CA');
  assert.deepEqual(
    [
      'credentials/server-admin-token',
      'credentials/signer-signing-token',
      'signer/admin-token',
    ].map((f) => readFileSync(join(dir, f), 'utf8')),
    tokens,
  );
  assert.doesNotMatch(second.out(), /new .*token/, 'no new token on a restart');
  for (const url of [u2.signer, u2.server]) assert.equal((await healthz(url, ca)).status, 200);
  assert.equal(await second.stop(), 0);
});

test('cairn up with a bad cairn.json exits 3 naming the field', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-up-bad-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'cairn.json'), JSON.stringify({ server: { port: -1 } }));
  const child = spawn(process.execPath, [BIN, 'up', '--data', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  assert.equal(code, 3);
  assert.match(err, /server\.port: must be an integer 0\.\.65535/);
});
