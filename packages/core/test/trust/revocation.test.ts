import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { anchorFromSpki, parseCrl, spkiSha256, verifyCertificateChain } from '@cairn/core';
import type { RevocationList } from '@cairn/core';
import {
  assertThrowsCode,
  buildTestChain,
  FIXTURE_AT,
  flipByte,
  generateTestKey,
  issueCrl,
} from '@cairn/testkit';
import type { TestChain } from '@cairn/testkit';

describe('revocation', () => {
  let c: TestChain;
  let other: TestChain;
  before(async () => {
    c = await buildTestChain();
    other = await buildTestChain({ ca: { subject: 'CN=Other Issuing CA, O=Elsewhere' } });
  });
  const verify = (revoked: RevocationList, at = FIXTURE_AT) =>
    verifyCertificateChain({
      chain: c.chain,
      anchors: [anchorFromSpki(c.root.key.spki)],
      at,
      revoked,
    });

  test('revoked via a list entry keyed by issuer SPKI SHA-256', () => {
    const err = assertThrowsCode(
      () =>
        verify({
          entries: [{ issuerSpkiSha256: spkiSha256(c.ca.key.spki), serial: c.leaf.serial }],
        }),
      'CERT_REVOKED',
    );
    assert.match(err.message, /chain\[0\]/);
  });

  test('revoked via a list entry keyed by issuer name, serial as bigint', () => {
    const issuerName = leafIssuerName(c);
    assertThrowsCode(
      () => verify({ entries: [{ issuerName, serial: BigInt(`0x${c.leaf.serial}`) }] }),
      'CERT_REVOKED',
    );
  });

  test('an entry for another issuer or another serial does not revoke', () => {
    const r = verify({
      entries: [
        { issuerSpkiSha256: spkiSha256(other.ca.key.spki), serial: c.leaf.serial },
        { issuerSpkiSha256: spkiSha256(c.ca.key.spki), serial: 'ffffff' },
      ],
    });
    assert.equal(r.path.length, 2);
  });

  test('an entry naming no issuer is a ValidationError', () => {
    assertThrowsCode(() => verify({ entries: [{ serial: 1n }] }), 'INVALID_INPUT');
  });

  test('revoked via a signed CRL from the issuing CA', async () => {
    const crl = await issueCrl({ issuer: c.ca, revoked: ['0badcafe', c.leaf.serial] });
    assert.equal(parseCrl(crl).revoked.size, 2);
    const err = assertThrowsCode(() => verify({ crls: [crl] }), 'CERT_REVOKED');
    assert.match(err.message, /CRL #0/);
  });

  test('revoked intermediate via the root CRL (root key as anchor outside the chain)', async () => {
    const crl = await issueCrl({ issuer: c.root, revoked: [c.ca.serial] });
    const err = assertThrowsCode(() => verify({ crls: [crl] }), 'CERT_REVOKED');
    assert.match(err.message, /chain\[1\]/);
  });

  test('a fresh CRL that does not list the leaf passes; unrelated issuers CRLs are ignored', async () => {
    const crl = await issueCrl({ issuer: c.ca, revoked: ['0badcafe'] });
    const unrelated = await issueCrl({ issuer: other.ca, revoked: [c.leaf.serial] });
    assert.equal(verify({ crls: [crl, unrelated] }).path.length, 2);
  });

  test('CRL_INVALID: signed by the wrong key (a same-name CRL is never silently skipped)', async () => {
    const crl = await issueCrl({ issuer: c.ca, revoked: [], signWith: await generateTestKey() });
    assertThrowsCode(() => verify({ crls: [crl] }), 'CRL_INVALID');
  });

  test('CRL_INVALID: tampered signature, malformed DER, thisUpdate in the future', async () => {
    const crl = await issueCrl({ issuer: c.ca, revoked: [c.leaf.serial] });
    assertThrowsCode(() => verify({ crls: [flipByte(crl, -1)] }), 'CRL_INVALID');
    assertThrowsCode(() => verify({ crls: [crl.subarray(0, 40)] }), 'CRL_INVALID');
    const future = await issueCrl({ issuer: c.ca, thisUpdate: new Date('2027-01-01T00:00:00Z') });
    assertThrowsCode(() => verify({ crls: [future] }), 'CRL_INVALID');
  });

  test('CRL_EXPIRED: stale nextUpdate, or no nextUpdate at all', async () => {
    const stale = await issueCrl({ issuer: c.ca, nextUpdate: new Date('2025-01-01T00:00:00Z') });
    assert.match(
      assertThrowsCode(() => verify({ crls: [stale] }), 'CRL_EXPIRED').message,
      /fresh CRL/,
    );
    const open = await issueCrl({ issuer: c.ca, nextUpdate: null });
    assertThrowsCode(() => verify({ crls: [open] }), 'CRL_EXPIRED');
  });

  test('CRL_INVALID: issuer certificate without cRLSign may not sign CRLs', async () => {
    const noCrlSign = await buildTestChain({ ca: { keyUsage: ['keyCertSign'] } });
    const crl = await issueCrl({ issuer: noCrlSign.ca, revoked: [] });
    assertThrowsCode(
      () =>
        verifyCertificateChain({
          chain: noCrlSign.chain,
          anchors: [anchorFromSpki(noCrlSign.root.key.spki)],
          at: FIXTURE_AT,
          revoked: { crls: [crl] },
        }),
      'CRL_INVALID',
    );
  });
});

/** The leaf's issuer Name DER, as parsed from the leaf certificate. */
function leafIssuerName(c: TestChain): Uint8Array {
  return verifyCertificateChain({
    chain: c.chain,
    anchors: [anchorFromSpki(c.root.key.spki)],
    at: FIXTURE_AT,
  }).path[0]!.issuer;
}
