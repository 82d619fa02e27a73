import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anchorFromPem, isCairnError, verifyCertificateChain } from '@cairn/core';
import type { RevocationList } from '@cairn/core';
import {
  buildTestChain,
  FIXTURE_AT,
  generateTestKey,
  issueCrl,
  requireTools,
  toPem,
} from '@cairn/testkit';
import type { CertSpec, TestChain } from '@cairn/testkit';

interface Case {
  readonly name: string;
  readonly chain: TestChain;
  readonly crl?: Uint8Array;
}

/** Our verdict: null when accepted, else the TrustError code. */
function ours(c: Case): string | null {
  const revoked: RevocationList | undefined = c.crl ? { crls: [c.crl] } : undefined;
  try {
    verifyCertificateChain({
      chain: c.chain.chain,
      anchors: [anchorFromPem(c.chain.root.pem)],
      at: FIXTURE_AT,
      ...(revoked ? { revoked } : {}),
    });
    return null;
  } catch (err) {
    if (isCairnError(err)) return err.code;
    throw err;
  }
}

/** OpenSSL's verdict on the same chain, trust anchor and time. */
function openssl(c: Case, dir: string): { ok: boolean; out: string } {
  writeFileSync(join(dir, 'root.pem'), c.chain.root.pem);
  writeFileSync(join(dir, 'ca.pem'), c.chain.ca.pem);
  writeFileSync(join(dir, 'leaf.pem'), c.chain.leaf.pem);
  const args = [
    'verify',
    '-x509_strict',
    '-attime',
    String(Math.floor(FIXTURE_AT.getTime() / 1000)),
    '-CAfile',
    join(dir, 'root.pem'),
    '-untrusted',
    join(dir, 'ca.pem'),
  ];
  if (c.crl) {
    writeFileSync(join(dir, 'crl.pem'), toPem(c.crl, 'X509 CRL'));
    args.push('-crl_check', '-CRLfile', join(dir, 'crl.pem'));
  }
  args.push(join(dir, 'leaf.pem'));
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

describe('cross-check with openssl verify', () => {
  let cases: Case[];
  before(async () => {
    // One set of keys for every P-256 case: the certificates differ, keygen is not the point.
    const keys = {
      root: await generateTestKey(),
      ca: await generateTestKey(),
      leaf: await generateTestKey(),
    };
    const chain = (
      o: { root?: Partial<CertSpec>; ca?: Partial<CertSpec>; leaf?: Partial<CertSpec> } = {},
    ) =>
      buildTestChain({
        root: { key: keys.root, ...o.root },
        ca: { key: keys.ca, ...o.ca },
        leaf: { key: keys.leaf, ...o.leaf },
      });
    const good = await chain();
    cases = [
      { name: 'valid P-256 chain', chain: good },
      { name: 'valid Ed25519 chain', chain: await buildTestChain({ alg: 'Ed25519' }) },
      {
        name: 'expired leaf',
        chain: await chain({ leaf: { notAfter: new Date('2025-01-01T00:00:00Z') } }),
      },
      {
        name: 'issuing CA not yet valid',
        chain: await chain({ ca: { notBefore: new Date('2027-01-01T00:00:00Z') } }),
      },
      {
        name: 'issuer without cA',
        chain: await chain({ ca: { basicConstraints: { ca: false } } }),
      },
      {
        name: 'issuer without keyCertSign',
        chain: await chain({ ca: { keyUsage: ['digitalSignature', 'cRLSign'] } }),
      },
      {
        name: 'root pathLen 0 over an intermediate',
        chain: await chain({ root: { basicConstraints: { ca: true, pathLen: 0 } } }),
      },
      {
        name: 'unknown critical extension on the leaf',
        chain: await chain({
          leaf: {
            extraExtensions: [
              { oid: '1.3.6.1.4.1.99999.1', critical: true, value: Uint8Array.of(5, 0) },
            ],
          },
        }),
      },
      {
        name: 'leaf revoked by CRL',
        chain: good,
        crl: await issueCrl({ issuer: good.ca, revoked: [good.leaf.serial] }),
      },
      {
        name: 'fresh CRL without the leaf',
        chain: good,
        crl: await issueCrl({ issuer: good.ca, revoked: ['0badcafe'] }),
      },
      {
        name: 'stale CRL',
        chain: good,
        crl: await issueCrl({ issuer: good.ca, nextUpdate: new Date('2025-01-01T00:00:00Z') }),
      },
    ];
  });

  test('our verdict agrees with OpenSSL on every case', (t) => {
    if (!requireTools(t, ['openssl'])) return;
    const dir = mkdtempSync(join(tmpdir(), 'cairn-trust-'));
    try {
      let rejected = 0;
      for (const c of cases) {
        const mine = ours(c);
        const theirs = openssl(c, dir);
        assert.equal(
          mine === null,
          theirs.ok,
          `${c.name}: cairn says ${mine ?? 'OK'}, openssl says ${theirs.out.trim()}`,
        );
        if (mine !== null) rejected++;
      }
      assert.ok(rejected >= 8, 'the table exercises rejections, not just acceptances');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
