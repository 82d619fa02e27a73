import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ed25519NoteVerifier } from '@cairn/core';
import { openDatabase } from '@cairn/db';
import { openKeyStore } from '@cairn/keys';
import { verifyAuditLog, verifyTransparencyLog } from '@cairn/ledger';
import { SignerClient } from '@cairn/signer';
import { TEST_CLASS_ID, TEST_VENDOR_ID } from '@cairn/testkit';

const CHILD = join(import.meta.dirname, 'serve-child.js');
const PASS = 'crash test passphrase';
const uuid = (b: Uint8Array): string => {
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

async function start(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CHILD, dataDir], {
    env: { ...process.env, CAIRN_KEYSTORE_PASSPHRASE: PASS },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      reject(new Error(`signer did not start in 30 s: ${err}`));
    }, 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`signer exited ${String(code)}: ${err}`));
    });
  });
  return { child, url };
}

interface Returned {
  readonly index: number;
  readonly auditSeq: number;
  readonly sequence: bigint;
  readonly envelope: Buffer;
}

test(
  'crash: SIGKILL under signing load loses no returned signature; both logs verify',
  { timeout: 180_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-signer-crash-'));
    const dataDir = join(dir, 'data');
    const returned: Returned[] = [];
    let child: ChildProcess | undefined;
    try {
      let s = await start(dataDir);
      child = s.child;
      const admin = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
      const adminClient = new SignerClient({ url: s.url, token: admin });
      const keys0 = await openKeyStore({
        backend: 'software',
        dir: join(dataDir, 'keys'),
        passphrase: PASS,
        warn: () => undefined,
      });
      await keys0.generate('fw-key', 'ecdsa-p256');
      await keys0.close();
      const w = await adminClient.request('POST', '/api/v1/workers', {
        name: 'fw',
        keyLabel: 'fw-key',
        products: [{ vendorId: uuid(TEST_VENDOR_ID), classId: uuid(TEST_CLASS_ID) }],
        formats: ['suit'],
      });
      assert.equal(w.status, 201, w.body);
      const tok = await adminClient.request('POST', '/api/v1/tokens', {
        name: 'ci',
        grants: [{ role: 'signer', worker: 'fw' }],
        ttlSeconds: 3600,
      });
      const ciToken = tok.json<{ token: string }>().token;
      adminClient.close();

      const ROUNDS = 3;
      let attempts = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const client = new SignerClient({ url: s.url, token: ciToken, maxSockets: 32 });
        let stop = false;
        const loops = Array.from({ length: 32 }, async (_, k) => {
          for (let i = 0; !stop; i++) {
            attempts++;
            const sha = createHash('sha256').update(`${round}/${k}/${i}`).digest('hex');
            try {
              const r = await client.request('POST', '/api/v1/workers/fw/sign', {
                vendorId: uuid(TEST_VENDOR_ID),
                classId: uuid(TEST_CLASS_ID),
                version: '1.0.0',
                sequence: 'auto',
                components: [{ id: 'rootfs', sha256: sha, size: 1 }],
              });
              if (r.status === 200) {
                const j = r.json<{
                  index: number;
                  auditSeq: number;
                  sequenceNumber: string;
                  envelope: string;
                }>();
                returned.push({
                  index: j.index,
                  auditSeq: j.auditSeq,
                  sequence: BigInt(j.sequenceNumber),
                  envelope: Buffer.from(j.envelope, 'base64'),
                });
              }
            } catch {
              return; // connection died with the server
            }
          }
        });
        // kill at a random moment under load (once this round has had some answers)
        const base = returned.length;
        for (let waited = 0; returned.length < base + 10 && waited < 20_000; waited += 50)
          await new Promise((r) => setTimeout(r, 50));
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 400)));
        child.kill('SIGKILL');
        await new Promise((r) => child!.once('exit', r));
        stop = true;
        await Promise.all(loops);
        client.close();
        s = await start(dataDir);
        child = s.child;
      }
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
      child = undefined;
      assert.ok(returned.length > 20, `too little load: ${returned.length} of ${attempts}`);

      const db = await openDatabase({ dialect: 'sqlite', path: join(dataDir, 'signer.db') });
      const keys = await openKeyStore({
        backend: 'software',
        dir: join(dataDir, 'keys'),
        passphrase: PASS,
        warn: () => undefined,
      });
      try {
        const logPub = (await keys.get('cairn-log')).publicKey.subarray(-32);
        const audit = await verifyAuditLog({
          db,
          verifier: ed25519NoteVerifier('cairn.example/audit', logPub),
        });
        const tlog = await verifyTransparencyLog({
          db,
          verifier: ed25519NoteVerifier('cairn.example/tlog', logPub),
        });
        const k = db.typed<{
          ledger_tlog_leaves: { idx: bigint; data: Uint8Array };
          ledger_audit: { seq: bigint; response_digest: string | null; action: string };
        }>();
        for (const r of returned) {
          assert.ok(r.index < tlog.size && r.auditSeq < audit.size);
          const leaf = await k
            .selectFrom('ledger_tlog_leaves')
            .select('data')
            .where('idx', '=', BigInt(r.index))
            .executeTakeFirstOrThrow();
          assert.ok(
            Buffer.from(leaf.data).equals(r.envelope),
            `log entry ${r.index} is not the returned envelope`,
          );
          const rec = await k
            .selectFrom('ledger_audit')
            .select(['response_digest', 'action'])
            .where('seq', '=', BigInt(r.auditSeq))
            .executeTakeFirstOrThrow();
          assert.equal(rec.action, 'sign');
          assert.equal(
            rec.response_digest,
            createHash('sha256').update(r.envelope).digest('hex'),
            `audit record ${r.auditSeq} does not match`,
          );
        }
        const seqs = returned.map((r) => r.sequence);
        assert.equal(new Set(seqs).size, seqs.length, 'a sequence number was handed out twice');
      } finally {
        await keys.close();
        await db.close();
      }
    } finally {
      if (child) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
