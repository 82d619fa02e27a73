// Signatures per second: each key store backend × algorithm, beside raw node:crypto
// with the same algorithm in the same run; 1 and 4 concurrent callers.
// Run: npx tsc -b packages/keys/test && node packages/keys/dist/test/bench/sign.bench.js
// Cell length: CAIRN_BENCH_MS (default 2000 ms).
import {
  constants,
  generateKeyPairSync,
  sign,
  type KeyObject,
  type SignKeyObjectInput,
} from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyType, SignatureAlgorithm } from '@cairn/core';
import { openKeyStore, type KeyStore } from '@cairn/keys';
import { createSoftHsmToken, hasTool } from '@cairn/testkit';

const CELL_MS = Number(process.env['CAIRN_BENCH_MS'] ?? 2000);
const CASES: readonly [SignatureAlgorithm, KeyType][] = [
  ['ES256', 'ecdsa-p256'],
  ['ES384', 'ecdsa-p384'],
  ['EdDSA', 'ed25519'],
  ['PS256', 'rsa-pss-3072'],
];
const MSG = Buffer.alloc(1024, 7);

async function rate(concurrency: number, op: () => Promise<unknown>): Promise<number> {
  const end = Date.now() + CELL_MS;
  let n = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await op();
        n++;
      }
    }),
  );
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

function nodeKey(type: KeyType): KeyObject {
  switch (type) {
    case 'ecdsa-p256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    case 'ecdsa-p384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    case 'ed25519':
      return generateKeyPairSync('ed25519').privateKey;
    case 'rsa-pss-3072':
      return generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey;
  }
}

function nodeSign(alg: SignatureAlgorithm, key: KeyObject): () => Promise<Buffer> {
  const hash = alg === 'EdDSA' ? null : alg === 'ES384' ? 'sha384' : 'sha256';
  const input: SignKeyObjectInput | KeyObject =
    alg === 'PS256'
      ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
      : alg === 'EdDSA'
        ? key
        : { key, dsaEncoding: 'ieee-p1363' };
  return () =>
    new Promise((res, rej) => {
      sign(hash, MSG, input, (err, sig) => {
        if (err) rej(err);
        else res(sig);
      });
    });
}

const rows: string[] = [];
const fmt = (x: number): string => x.toFixed(0);

async function benchStore(name: string, store: KeyStore): Promise<void> {
  for (const [alg, type] of CASES) {
    const label = `bench-${type}`;
    await store.generate(label, type);
    await store.sign(label, alg, MSG);
    const key = nodeKey(type);
    const raw = nodeSign(alg, key);
    const s1 = await rate(1, () => store.sign(label, alg, MSG));
    const s4 = await rate(4, () => store.sign(label, alg, MSG));
    const n1 = await rate(1, raw);
    const n4 = await rate(4, raw);
    rows.push(`| ${name} | ${alg} | ${fmt(s1)} | ${fmt(s4)} | ${fmt(n1)} | ${fmt(n4)} |`);
    console.error(rows[rows.length - 1]);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-'));
try {
  if (hasTool('softhsm2-util')) {
    const token = createSoftHsmToken({ label: 'bench' });
    const store = await openKeyStore({
      backend: 'pkcs11',
      module: token.module,
      tokenLabel: 'bench',
      pin: token.pin,
    });
    try {
      await benchStore('SoftHSM2 (PKCS#11)', store);
    } finally {
      await store.close();
      token.cleanup();
    }
  } else {
    console.error(
      'skipping SoftHSM2 rows: softhsm2-util not installed (scripts/install-system-deps.sh)',
    );
  }
  const sw = await openKeyStore({
    backend: 'software',
    dir,
    passphrase: 'bench',
    warn: () => undefined,
  });
  try {
    await benchStore('software keystore', sw);
  } finally {
    await sw.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  `\nSignatures/s over a 1 KiB message, ${CELL_MS} ms per cell, Node ${process.version}\n`,
);
console.log(
  '| backend | alg | store, 1 caller | store, 4 callers | node:crypto, 1 | node:crypto, 4 |',
);
console.log('|---|---|---:|---:|---:|---:|');
for (const r of rows) console.log(r);
