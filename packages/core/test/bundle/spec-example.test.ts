/**
 * The example bundle in docs/formats/bundle.md: generated here, deterministically (a
 * fixed Ed25519 key; Ed25519 signatures are deterministic), and checked against the
 * doc so the hex dump there is always a real, verifiable bundle.
 */
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifyBundle } from '@cairn/core';
import { repoRoot } from '@cairn/testkit';
import { chunked } from '../stream/helpers.js';
import { signedBundle, suitVerifier } from './suit-fixture.js';

/** RFC 8032 test 1 secret key, wrapped as PKCS#8. */
const SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const EXAMPLE_KEY = createPrivateKey({
  key: Buffer.from(`302e020100300506032b657004220420${SEED}`, 'hex'),
  format: 'der',
  type: 'pkcs8',
});

/** xxd-style dump: offset, 16 bytes in hex, printable ASCII. */
export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0'));
    const groups = Array.from({ length: 8 }, (_, i) => hex.slice(2 * i, 2 * i + 2).join('')).join(
      ' ',
    );
    const ascii = [...row]
      .map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.'))
      .join('');
    lines.push(`${at.toString(16).padStart(8, '0')}: ${groups.padEnd(39)}  ${ascii}`);
  }
  return lines.join('\n');
}

test('the hex dump in docs/formats/bundle.md is this generated, verifiable bundle', async () => {
  const f = await signedBundle([Buffer.from('hello, device\n')], {
    alg: 'EdDSA',
    privateKey: EXAMPLE_KEY,
    sequenceNumber: 1,
  });
  const v = await verifyBundle(chunked(f.bundle, [5]), {
    verifyEnvelope: suitVerifier(f.publicKey),
  });
  assert.equal(v.payloads.length, 1);
  const dump = hexDump(f.bundle);
  if (process.env.PRINT_BUNDLE_EXAMPLE === '1') console.log(dump);
  const doc = readFileSync(join(repoRoot(), 'docs/formats/bundle.md'), 'utf8');
  assert.ok(
    doc.includes(dump),
    'docs/formats/bundle.md must contain the hex dump printed with PRINT_BUNDLE_EXAMPLE=1',
  );
});
