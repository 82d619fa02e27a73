import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import {
  buildManifest,
  imageDigest,
  parseUuid,
  signEnvelope,
  softwareSigner,
  suitCommand,
  writeBundle,
} from '@cairn/core';
import { main, type Io } from '@cairn/cli';
import { repoRoot } from '@cairn/testkit';

const VENDOR = 'fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe';
const CLASS = '1492af14-2569-5e48-bf42-9b2d51f2ab45';
const TOKEN = 'cli-test-admin-token-0123456789';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = { out: '', err: '' };
  const sink: Io = { out: (t) => void (io.out += t), err: (t) => void (io.err += t) };
  const code = await main(argv, sink);
  return { code, ...io };
}

async function bundle(
  sequence: number,
  signer: ReturnType<typeof softwareSigner>,
): Promise<Buffer> {
  const payload = new Uint8Array(256).fill(sequence);
  const manifest = buildManifest({
    sequenceNumber: sequence,
    components: [[new Uint8Array(Buffer.from('fw'))]],
    sharedSequence: [
      suitCommand.overrideParameters({
        vendorId: { uuid: parseUuid(VENDOR) },
        classId: parseUuid(CLASS),
        imageDigest: imageDigest(payload),
        imageSize: payload.length,
      }),
    ],
  });
  const envelope = await signEnvelope({ manifest, signer });
  const parts: Uint8Array[] = [];
  async function* src(): AsyncGenerator<Uint8Array> {
    await Promise.resolve();
    yield payload;
  }
  for await (const c of writeBundle({
    envelope,
    payloads: [{ componentIndex: 0, size: payload.length, source: src() }],
  }))
    parts.push(c);
  return Buffer.concat(parts);
}

void test('cairn server serve + release upload/list + device add/list', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-cli-server-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  for (const cmd of [
    ['server', 'serve'],
    ['release', 'upload'],
    ['release', 'list'],
    ['device', 'add'],
    ['device', 'list'],
  ]) {
    const h = await run([...cmd, '--help']);
    assert.equal(h.code, 0);
    assert.match(h.out, new RegExp(`Usage: cairn ${cmd.join(' ')}`));
  }
  const bin = resolve(repoRoot(), 'packages/cli/dist/bin/cairn.js');
  const child = spawn(
    process.execPath,
    [bin, 'server', 'serve', '--data', join(dir, 'data'), '--port', '0'],
    {
      env: { ...process.env, CAIRN_ADMIN_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  t.after(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  let output = '';
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => {
      rej(new Error(`server did not start: ${output}`));
    }, 20_000);
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /listening on (\S+)/.exec(output);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        res(m[1]);
      }
    });
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  });
  process.env['CAIRN_ADMIN_TOKEN'] = TOKEN;
  const srv = ['--server', url];

  // The product is created over the admin API (the management CLI comes with part 2).
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const created = await fetch(`${url}/api/v1/products`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      id: 'gw',
      name: 'Gateway',
      vendorId: VENDOR,
      classId: CLASS,
      anchors: [
        { kind: 'pem', value: publicKey.export({ format: 'pem', type: 'spki' }).toString() },
      ],
    }),
  });
  assert.equal(created.status, 201);
  const signer = softwareSigner(privateKey, 'ES256');
  const file = join(dir, 'fw-2.cairn');
  const bytes = await bundle(2, signer);
  writeFileSync(file, bytes);

  const up = await run([
    'release',
    'upload',
    file,
    '--product',
    'gw',
    '--version',
    '2.0',
    '--json',
    ...srv,
  ]);
  assert.equal(up.code, 0, up.err);
  const rel = JSON.parse(up.out) as { sequenceNumber: string; bundleSha256: string };
  assert.equal(rel.sequenceNumber, '2');
  assert.equal(rel.bundleSha256, createHash('sha256').update(bytes).digest('hex'));
  const again = await run(['release', 'upload', file, '--product', 'gw', ...srv]);
  assert.equal(again.code, 1);
  assert.match(again.err, /RELEASE_SEQUENCE_NOT_NEWER/);

  const list = await run(['release', 'list', '--json', ...srv]);
  assert.equal((JSON.parse(list.out) as unknown[]).length, 1);
  assert.match((await run(['release', 'list', ...srv])).out, /1 release\(s\)/);

  const add = await run([
    'device',
    'add',
    'dev-9',
    '--product',
    'gw',
    '--attr',
    'hw=2',
    '--json',
    ...srv,
  ]);
  assert.equal(add.code, 0, add.err);
  const { targetToken } = JSON.parse(add.out) as { targetToken: string };
  const poll = await fetch(`${url}/DEFAULT/controller/v1/dev-9`, {
    headers: { authorization: `TargetToken ${targetToken}` },
  });
  assert.equal(poll.status, 200);
  const text = await run(['device', 'add', 'dev-10', '--product', 'gw', ...srv]);
  assert.match(text.out, /TargetToken \(shown once/);
  const devs = JSON.parse((await run(['device', 'list', '--json', ...srv])).out) as {
    controllerId: string;
    attributes: Record<string, string>;
  }[];
  assert.deepEqual(
    devs.map((d) => d.controllerId),
    ['dev-10', 'dev-9'],
  );
  assert.deepEqual(devs[1]?.attributes, { hw: '2' });

  // Failures: wrong admin token, missing product option, unreachable server.
  process.env['CAIRN_BAD_TOKEN'] = 'not-the-admin-token-xxxxx';
  const denied = await run(['device', 'list', '--admin-token-env', 'CAIRN_BAD_TOKEN', ...srv]);
  assert.equal(denied.code, 1);
  assert.match(denied.err, /AUTH_INVALID/);
  assert.equal((await run(['release', 'upload', file, ...srv])).code, 2);
  const down = await run(['device', 'list', '--server', 'http://127.0.0.1:1']);
  assert.equal(down.code, 1);
  assert.match(down.err, /SERVER_UNREACHABLE/);
});
