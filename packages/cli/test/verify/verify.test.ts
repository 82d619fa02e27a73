import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@cairn/cli';
import { createFirmwareFixture, FIXTURE_AT, makeTestBundle, captureIo } from '@cairn/testkit';

test('cairn verify: a bundle verifies against its anchor; tampering, wrong anchors and bad usage are refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-verify-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const fx = await createFirmwareFixture();
  const payload = Buffer.alloc(5000, 0x5a);
  const bundle = Buffer.from(
    await makeTestBundle(fx, { sequenceNumber: 9, payload, version: '2.0.0' }),
  );
  const file = join(dir, 'fw.cairn');
  const anchor = join(dir, 'root.pem');
  await writeFile(file, bundle);
  await writeFile(anchor, fx.anchorPem);
  const at = FIXTURE_AT.toISOString();

  let io = captureIo();
  assert.equal(await main(['verify', file, '--anchor', anchor, '--at', at], io), 0, io.stderr);
  assert.match(io.stdout, /verified/);
  assert.match(io.stdout, /version 2\.0\.0 · sequence 9/);
  assert.match(io.stdout, /transparency proof: absent/);

  io = captureIo();
  assert.equal(await main(['verify', file, '--anchor', anchor, '--at', at, '--json'], io), 0);
  const summary = JSON.parse(io.stdout) as { sequenceNumber: number; payloads: { size: number }[] };
  assert.equal(summary.sequenceNumber, 9);
  assert.equal(summary.payloads[0]?.size, 5000);

  io = captureIo();
  assert.equal(
    await main(['verify', file, '--anchor', anchor, '--at', at, '--require-proof'], io),
    1,
  );
  assert.match(io.stderr, /BUNDLE_PROOF_MISSING/);

  const tampered = Buffer.from(bundle);
  tampered[tampered.length - 10] = (tampered[tampered.length - 10] ?? 0) ^ 1;
  await writeFile(join(dir, 'bad.cairn'), tampered);
  io = captureIo();
  assert.equal(
    await main(['verify', join(dir, 'bad.cairn'), '--anchor', anchor, '--at', at], io),
    1,
  );
  assert.match(io.stderr, /PAYLOAD_DIGEST_MISMATCH/);

  const other = await createFirmwareFixture();
  await writeFile(join(dir, 'other.pem'), other.anchorPem);
  io = captureIo();
  assert.equal(await main(['verify', file, '--anchor', join(dir, 'other.pem'), '--at', at], io), 1);
  assert.match(io.stderr, /BUNDLE_ENVELOPE_INVALID \(SUIT_SIGNATURE_INVALID\)/);

  io = captureIo();
  assert.equal(
    await main(['verify', file, '--anchor', anchor, '--at', '2040-01-01T00:00:00Z'], io),
    1,
    'certificates expired by then',
  );

  io = captureIo();
  assert.equal(await main(['verify', join(dir, 'missing.cairn'), '--anchor', anchor], io), 3);
  assert.match(io.stderr, /does not exist/);
  io = captureIo();
  assert.equal(await main(['verify', file], io), 2);
  assert.match(io.stderr, /--anchor/);
});
