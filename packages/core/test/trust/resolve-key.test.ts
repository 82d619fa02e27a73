import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { anchorFromPin, anchorFromSpki, resolveSigningKey, spkiSha256 } from '@cairn/core';
import { assertThrowsCode, buildTestChain, FIXTURE_AT, generateTestKey } from '@cairn/testkit';
import type { TestChain, TestKey } from '@cairn/testkit';

describe('resolveSigningKey', () => {
  let c: TestChain;
  let device: TestKey;
  before(async () => {
    c = await buildTestChain();
    device = await generateTestKey('Ed25519');
  });

  test('an x5chain goes through chain verification', () => {
    const r = resolveSigningKey({
      x5chain: c.chain,
      kid: Uint8Array.of(1, 2, 3),
      anchors: [anchorFromSpki(c.root.key.spki)],
      at: FIXTURE_AT,
    });
    assert.equal(r.mode, 'x5chain');
    assert.deepEqual(r.spki, c.leaf.key.spki);
    assert.ok(r.chain);
  });

  test('an x5chain failure keeps its chain error code', () => {
    assertThrowsCode(
      () =>
        resolveSigningKey({
          x5chain: c.chain,
          anchors: [anchorFromSpki(device.spki)],
          at: FIXTURE_AT,
        }),
      'NOT_ANCHORED',
    );
  });

  test('a raw key (DER SPKI or KeyObject) must be pinned', () => {
    const anchors = [anchorFromPin(spkiSha256(device.spki))];
    const r = resolveSigningKey({ key: device.spki, anchors, at: FIXTURE_AT });
    assert.equal(r.mode, 'pinned-key');
    assert.equal(r.publicKey.asymmetricKeyType, 'ed25519');
    assert.equal(
      resolveSigningKey({ key: device.publicKey, anchors, at: FIXTURE_AT }).mode,
      'pinned-key',
    );
    const err = assertThrowsCode(
      () => resolveSigningKey({ key: c.leaf.key.spki, anchors, at: FIXTURE_AT }),
      'KEY_NOT_PINNED',
    );
    assert.match(err.message, /[0-9a-f]{64}/);
    assertThrowsCode(
      () => resolveSigningKey({ key: Uint8Array.of(0x30, 0), anchors, at: FIXTURE_AT }),
      'KEY_NOT_PINNED',
    );
  });

  test('a kid picks a key anchor by explicit kid or by SPKI SHA-256', () => {
    const kid = new TextEncoder().encode('device-key-1');
    const anchors = [anchorFromSpki(device.spki, { kid }), anchorFromSpki(c.leaf.key.spki)];
    assert.deepEqual(resolveSigningKey({ kid, anchors, at: FIXTURE_AT }).spki, device.spki);
    const byHash = resolveSigningKey({ kid: spkiSha256(c.leaf.key.spki), anchors, at: FIXTURE_AT });
    assert.deepEqual(byHash.spki, c.leaf.key.spki);
    assertThrowsCode(
      () => resolveSigningKey({ kid: Uint8Array.of(9), anchors, at: FIXTURE_AT }),
      'KEY_NOT_PINNED',
    );
    // A pin alone carries no key, so a kid cannot resolve to it.
    assertThrowsCode(
      () =>
        resolveSigningKey({
          kid: spkiSha256(device.spki),
          anchors: [anchorFromPin(spkiSha256(device.spki))],
          at: FIXTURE_AT,
        }),
      'KEY_NOT_PINNED',
    );
  });

  test('neither x5chain, key nor kid: NO_SIGNING_KEY', () => {
    assertThrowsCode(() => resolveSigningKey({ anchors: [], at: FIXTURE_AT }), 'NO_SIGNING_KEY');
  });
});
