import assert from 'node:assert/strict';
import { createHash, createPublicKey, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ed25519NoteVerifier,
  readFirmwareManifest,
  verifyBundle,
  verifyEnvelope,
  verifyTlogProof,
} from '@cairn/core';
import { main } from '@cairn/cli';
import type { Io } from '@cairn/cli';
import { loadSignerConfig, serveSigner } from '@cairn/signer';
import { TEST_CLASS_ID, TEST_VENDOR_ID } from '@cairn/testkit';

const uuid = (b: Uint8Array): string => {
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
const PRODUCT = `${uuid(TEST_VENDOR_ID)}:${uuid(TEST_CLASS_ID)}`;

function capture(): Io & { out_: string; err_: string } {
  const io = {
    out_: '',
    err_: '',
    out(t: string) {
      io.out_ += t;
    },
    err(t: string) {
      io.err_ += t;
    },
  };
  return io;
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  const code = await main(args, io);
  return { code, out: io.out_, err: io.err_ };
}

test('cairn signer serve (TLS from Cairn PKI) + worker/token/sign/approve CLI: bundle verifies, denial exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-sign-cli-'));
  process.env['CAIRN_KEYSTORE_PASSPHRASE'] = 'cli test passphrase';
  const config = loadSignerConfig(join(dir, 'data'), undefined, { CAIRN_SIGNER_PORT: '0' });
  const running = await serveSigner(config, { logger: false });
  try {
    assert.match(running.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    process.env['T_ADMIN'] = readFileSync(running.bootstrapTokenFile!, 'utf8').trim();
    const conn = ['--signer', running.url, '--cacert', running.caFile!];
    await running.stack.service.keys.generate('fw-key', 'ecdsa-p256');
    let r = await cli([
      'worker',
      'create',
      'fw',
      '--key',
      'fw-key',
      '--product',
      PRODUCT,
      ...conn,
      '--token-env',
      'T_ADMIN',
    ]);
    assert.equal(r.code, 0, r.err);
    r = await cli([
      'worker',
      'create',
      'gated',
      '--key',
      'fw-key',
      '--product',
      PRODUCT,
      '--approvals',
      '1',
      ...conn,
      '--token-env',
      'T_ADMIN',
    ]);
    assert.equal(r.code, 0, r.err);
    r = await cli(['worker', 'list', ...conn, '--token-env', 'T_ADMIN']);
    assert.match(r.out, /^fw: key fw-key \(ES256\)/m);
    r = await cli([
      'token',
      'create',
      'ci',
      '--grant',
      'signer@fw',
      '--grant',
      'signer@gated',
      ...conn,
      '--token-env',
      'T_ADMIN',
    ]);
    assert.equal(r.code, 0, r.err);
    process.env['T_CI'] = r.out.trim();
    r = await cli([
      'token',
      'create',
      'rm',
      '--grant',
      'release-manager',
      ...conn,
      '--token-env',
      'T_ADMIN',
    ]);
    process.env['T_RM'] = r.out.trim();

    const image = join(dir, 'image.bin');
    const payload = randomBytes(300_000);
    writeFileSync(image, payload);
    const out = join(dir, 'image.cairn');
    r = await cli([
      'sign',
      ...conn,
      '--token-env',
      'T_CI',
      '--worker',
      'fw',
      '--product',
      PRODUCT,
      '--version',
      '1.0.0',
      '--sequence',
      '3',
      image,
      '-o',
      out,
    ]);
    assert.equal(r.code, 0, r.err);

    // core's verifyBundle accepts the bundle, with the worker's key
    const lw = await running.stack.service.workers.load('fw');
    const logKey = await running.stack.service.keys.get('cairn-log');
    const logVerifier = ed25519NoteVerifier('cairn.example/tlog', logKey.publicKey.subarray(-32));
    const key = createPublicKey({
      key: Buffer.from(lw.signer.publicKey),
      format: 'der',
      type: 'spki',
    });
    const verified = await verifyBundle(createReadStream(out) as AsyncIterable<Uint8Array>, {
      verifyEnvelope: (env) => readFirmwareManifest(verifyEnvelope(env, { keys: [key] }).manifest),
      requireProof: true,
      verifyProof: (proof, env) =>
        verifyTlogProof(Buffer.from(proof).toString('utf8'), { data: env }, logVerifier),
    });
    assert.equal(verified.manifest.sequenceNumber, 3n);

    // the envelope alone verifies with `cairn suit verify`
    const envelopeFile = join(dir, 'env.suit');
    const res = await running.stack.ledger.transparency.entries(0, 1);
    writeFileSync(envelopeFile, res[0]!.data);
    const keyPem = join(dir, 'key.pem');
    writeFileSync(keyPem, key.export({ type: 'spki', format: 'pem' }));
    r = await cli(['suit', 'verify', envelopeFile, '--key', keyPem]);
    assert.equal(r.code, 0, r.out + r.err);

    // equal sequence: denied, exit 1 with the reason
    r = await cli([
      'sign',
      ...conn,
      '--token-env',
      'T_CI',
      '--worker',
      'fw',
      '--product',
      PRODUCT,
      '--version',
      '1.0.0',
      '--sequence',
      '3',
      image,
      '-o',
      join(dir, 'x.cairn'),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.err, /denied: SEQUENCE_NOT_INCREASING/);

    // approvals: sign waits, cairn approve releases it
    const waiting = cli([
      'sign',
      ...conn,
      '--token-env',
      'T_CI',
      '--worker',
      'gated',
      '--product',
      PRODUCT,
      '--version',
      '1.1.0',
      image,
      '-o',
      join(dir, 'gated.cairn'),
      '--wait-timeout',
      '30s',
      '--poll-interval',
      '200ms',
    ]);
    let pendingId: string | undefined;
    for (let i = 0; i < 100 && pendingId === undefined; i++) {
      await new Promise((res2) => setTimeout(res2, 100));
      const l = await cli(['approvals', 'list', ...conn, '--token-env', 'T_RM', '--json']);
      pendingId = (JSON.parse(l.out) as { id: string }[])[0]?.id;
    }
    assert.ok(pendingId, 'no pending request appeared');
    r = await cli(['approve', pendingId, ...conn, '--token-env', 'T_CI']);
    assert.equal(r.code, 1, 'the requester cannot approve');
    r = await cli(['approve', pendingId, ...conn, '--token-env', 'T_RM']);
    assert.equal(r.code, 0, r.err);
    const w = await waiting;
    assert.equal(w.code, 0, w.err);
    assert.equal(
      createHash('sha256')
        .update(readFileSync(join(dir, 'gated.cairn')))
        .digest().length,
      32,
    );

    // bad TLS trust: exit 3 naming the problem
    r = await cli(['worker', 'list', '--signer', running.url, '--token-env', 'T_ADMIN']);
    assert.equal(r.code, 3);
  } finally {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
