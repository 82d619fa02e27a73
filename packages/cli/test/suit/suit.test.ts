import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type Io } from '@cairn/cli';
import { loadSuitExamples, vectorPath } from '@cairn/testkit';

const dir = mkdtempSync(join(tmpdir(), 'cairn-suit-cli-'));
const KEY = vectorPath('suit', 'public_key.pem');
const examples = loadSuitExamples();

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t) };
  const code = await main(argv, io);
  return { code, out, err };
}

function files(name: string, bytes: Uint8Array): { raw: string; hex: string } {
  const raw = join(dir, `${name}.suit`);
  const hex = join(dir, `${name}.hex`);
  writeFileSync(raw, bytes);
  // hex wrapped at 60 columns, as the draft prints it
  writeFileSync(
    hex,
    Buffer.from(bytes)
      .toString('hex')
      .replace(/(.{60})/g, '$1\n') + '\n',
  );
  return { raw, hex };
}

for (const [i, ex] of examples.entries()) {
  test(`cairn suit decode/verify ${ex.name} (raw and --hex)`, async () => {
    const f = files(ex.name, ex.envelope);
    const d = await run(['suit', 'decode', f.raw]);
    assert.equal(d.code, 0, d.err);
    assert.match(d.out, new RegExp(`sequence number ${i}\\b`));
    assert.match(d.out, /vendor-id=fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe/);
    assert.match(d.out, /class-id=1492af14-2569-5e48-bf42-9b2d51f2ab45/);
    assert.match(d.out, /\[0\] alg=ES256/);
    const j = await run(['suit', 'decode', f.hex, '--hex', '--json']);
    assert.equal(j.code, 0, j.err);
    const data = JSON.parse(j.out) as {
      sequenceNumber: number;
      size: number;
      signatures: { alg: string }[];
    };
    assert.equal(data.sequenceNumber, i);
    assert.equal(data.size, ex.envelope.length);
    assert.deepEqual(data.signatures, [{ alg: 'ES256' }]);
    for (const args of [[f.raw], [f.hex, '--hex']]) {
      const v = await run(['suit', 'verify', ...args, '--key', KEY]);
      assert.equal(v.code, 0, v.err);
      assert.match(v.out, new RegExp(`verified: ES256 .* sequence number ${i}`));
    }
  });
}

test('decode shows severed members, sizes and the text of example2', async () => {
  const f = files('ex2', examples[2]!.envelope);
  const d = await run(['suit', 'decode', f.raw]);
  assert.equal(d.code, 0);
  assert.match(d.out, /install: severed \(sha256:cfa90c5c/);
  assert.match(d.out, /image-size=34768/);
  assert.match(d.out, /reference URI https:\/\/git.io\/JJYoj/);
  assert.match(d.out, /arm\.com/);
});

test('a tampered envelope fails verify with exit 1 and the error code', async () => {
  const bad = examples[0]!.envelope.slice();
  bad[bad.length - 1]! ^= 1; // inside the manifest: the digest no longer matches
  const f = files('tampered', bad);
  const v = await run(['suit', 'verify', f.raw, '--key', KEY]);
  assert.equal(v.code, 1);
  assert.match(v.err, /SUIT_DIGEST_MISMATCH: /);
  assert.equal(v.err.trim().split('\n').length, 1, 'one line');
  const sig = examples[0]!.envelope.slice();
  sig[80]! ^= 1; // inside the signature
  const g = files('badsig', sig);
  const w = await run(['suit', 'verify', g.raw, '--key', KEY, '--json']);
  assert.equal(w.code, 1);
  assert.equal((JSON.parse(w.out) as { code: string }).code, 'SUIT_SIGNATURE_INVALID');
  const d = await run(['suit', 'decode', f.raw]);
  assert.equal(d.code, 1);
  assert.match(d.err, /SUIT_DIGEST_MISMATCH/);
});

test('verify with another key fails with SUIT_SIGNATURE_INVALID', async () => {
  const { generateKeyPairSync } = await import('node:crypto');
  const other = join(dir, 'other.pem');
  writeFileSync(
    other,
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      type: 'spki',
      format: 'pem',
    }),
  );
  const f = files('ex0', examples[0]!.envelope);
  const v = await run(['suit', 'verify', f.raw, '--key', other]);
  assert.equal(v.code, 1);
  assert.match(v.err, /SUIT_SIGNATURE_INVALID/);
});

test('missing files and bad input give clear messages and the right exit codes', async () => {
  const missing = join(dir, 'nope.suit');
  const d = await run(['suit', 'decode', missing]);
  assert.equal(d.code, 3);
  assert.match(d.err, /cannot read .*nope\.suit \(ENOENT\)/);
  const f = files('ex1', examples[1]!.envelope);
  const k = await run(['suit', 'verify', f.raw, '--key', join(dir, 'nokey.pem')]);
  assert.equal(k.code, 3);
  assert.match(k.err, /cannot read key/);
  const u = await run(['suit', 'verify', f.raw]);
  assert.equal(u.code, 2);
  assert.match(u.err, /--key/);
  const notHex = join(dir, 'bad.hex');
  writeFileSync(notHex, 'xyz');
  const h = await run(['suit', 'decode', notHex, '--hex']);
  assert.equal(h.code, 1);
  assert.match(h.err, /not hex/);
  const raw = await run(['suit', 'decode', f.hex]);
  assert.equal(raw.code, 1, 'hex text read as CBOR is malformed');
  assert.match(raw.err, /SUIT_MALFORMED/);
});
