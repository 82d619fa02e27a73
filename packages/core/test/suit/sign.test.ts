import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import {
  buildManifest,
  decodeEnvelope,
  encodeEnvelope,
  imageDigest,
  processEnvelope,
  signEnvelope,
  softwareSigner,
  suitCommand as cmd,
  suitDigest,
  verifyEnvelope,
  type SignatureAlgorithm,
} from '@cairn/core';
import {
  assertThrowsCode,
  loadSuitExamples,
  MemorySuitPlatform,
  suitPublicKeyPem,
  suitTestPayload,
} from '@cairn/testkit';
import { CLASS, VENDOR } from './helpers.js';

const FIRMWARE = suitTestPayload(5000, 7);

function keyFor(alg: SignatureAlgorithm) {
  return alg === 'EdDSA' || alg === 'Ed25519'
    ? generateKeyPairSync('ed25519')
    : generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

function manifest(seq = 1) {
  return buildManifest({
    sequenceNumber: seq,
    components: [[Uint8Array.of(0)]],
    sharedSequence: [
      cmd.overrideParameters({
        vendorId: { uuid: VENDOR },
        classId: CLASS,
        imageDigest: imageDigest(FIRMWARE),
        imageSize: FIRMWARE.length,
      }),
      cmd.condition('vendor-identifier'),
      cmd.condition('class-identifier'),
    ],
    install: [
      cmd.overrideParameters({ uri: '#firmware' }),
      cmd.action('fetch'),
      cmd.condition('image-match'),
    ],
    validate: [cmd.condition('image-match')],
    invoke: [cmd.overrideParameters({ invokeArgs: Uint8Array.of(1, 2) }), cmd.action('invoke')],
    text: new Map([['en', { fields: new Map([[1, 'Cairn test firmware']]), components: [] }]]),
    sever: ['install', 'text'],
  });
}

for (const alg of ['ES256', 'EdDSA', 'Ed25519'] as const) {
  test(`sign → verify round trip with ${alg}, then the built envelope installs and boots`, async () => {
    const { privateKey, publicKey } = keyFor(alg);
    const bytes = await signEnvelope({
      manifest: manifest(),
      signer: softwareSigner(privateKey, alg),
      kid: Uint8Array.of(9, 9),
      integrated: new Map([['#firmware', FIRMWARE]]),
    });
    const v = verifyEnvelope(bytes, { keys: [publicKey] });
    assert.equal(v.alg, alg);
    assert.deepEqual(v.kid, Uint8Array.of(9, 9));
    assert.equal(v.manifest.sequenceNumber, 1);
    assert.deepEqual(
      encodeEnvelope(decodeEnvelope(bytes)),
      bytes,
      'built envelopes re-encode byte-identically',
    );
    const pf = new MemorySuitPlatform({ identity: { vendorIds: [VENDOR], classIds: [CLASS] } });
    const r = await processEnvelope(v.envelope, pf);
    assert.deepEqual(r.ran, ['install', 'validate', 'invoke']);
    assert.deepEqual(pf.components.get(0), FIRMWARE);
    assert.deepEqual(pf.invocations, [{ component: 0, args: Uint8Array.of(1, 2) }]);
  });
}

test('building is deterministic: the same input gives the same manifest bytes', () => {
  assert.deepEqual(manifest().manifest.bytes, manifest().manifest.bytes);
  assert.notDeepEqual(manifest(1).manifest.bytes, manifest(2).manifest.bytes);
});

test('a tampered integrated payload is rejected by image-match during install', async () => {
  const { privateKey } = keyFor('ES256');
  const bad = FIRMWARE.slice();
  bad[100] = (bad[100] ?? 0) ^ 1;
  const bytes = await signEnvelope({
    manifest: manifest(),
    signer: softwareSigner(privateKey),
    integrated: new Map([['#firmware', bad]]),
  });
  const pf = new MemorySuitPlatform({ identity: { vendorIds: [VENDOR], classIds: [CLASS] } });
  await assert.rejects(processEnvelope(decodeEnvelope(bytes), pf), {
    code: 'CONDITION_FAILED_IMAGE_MATCH',
  });
  assert.deepEqual(pf.invocations, []);
});

test('verification with the wrong key fails with SUIT_SIGNATURE_INVALID and lists the reason', async () => {
  const { privateKey } = keyFor('ES256');
  const other = keyFor('ES256').publicKey;
  const bytes = await signEnvelope({ manifest: manifest(), signer: softwareSigner(privateKey) });
  const err = assertThrowsCode(
    () => verifyEnvelope(bytes, { keys: [other] }),
    'SUIT_SIGNATURE_INVALID',
  );
  const failures = err.details?.['failures'];
  assert.ok(Array.isArray(failures) && failures.length === 1);
  assert.match(err.message, /SIGNATURE_INVALID/);
});

test('allowedAlgorithms excludes a signature algorithm', async () => {
  const { privateKey, publicKey } = keyFor('EdDSA');
  const bytes = await signEnvelope({
    manifest: manifest(),
    signer: softwareSigner(privateKey, 'EdDSA'),
  });
  assertThrowsCode(
    () => verifyEnvelope(bytes, { keys: [publicKey], allowedAlgorithms: ['ES256'] }),
    'SUIT_SIGNATURE_INVALID',
  );
});

test('an envelope without signatures is SUIT_NOT_SIGNED', () => {
  const env = decodeEnvelope(loadSuitExamples()[0]!.envelope);
  const unsigned = encodeEnvelope({
    ...env,
    authentication: {
      ...env.authentication,
      blocks: [],
      bytes: Uint8Array.of(0x81, ...withHead(env.authentication.digest.bytes)),
    },
  });
  assertThrowsCode(
    () => verifyEnvelope(unsigned, { keys: [suitPublicKeyPem()] }),
    'SUIT_NOT_SIGNED',
  );
});

function withHead(b: Uint8Array): number[] {
  return [0x58, b.length, ...b];
}

test('resolveKey receives the COSE headers and its key verifies; a second signature from another key is kept', async () => {
  const a = keyFor('ES256');
  const b = keyFor('EdDSA');
  const built = manifest();
  const first = decodeEnvelope(
    await signEnvelope({
      manifest: built,
      signer: softwareSigner(b.privateKey, 'EdDSA'),
      kid: Uint8Array.of(2),
    }),
  );
  const bytes = await signEnvelope({
    manifest: built,
    signer: softwareSigner(a.privateKey),
    kid: Uint8Array.of(1),
    extraBlocks: first.authentication.blocks,
  });
  const seen: number[] = [];
  const keys = new Map([
    [1, a.publicKey],
    [2, b.publicKey],
  ]);
  const v = verifyEnvelope(bytes, {
    resolveKey: (h, i) => {
      seen.push(i);
      const k = keys.get(h.kid?.[0] ?? 0);
      if (!k) throw new Error('unknown kid');
      return { publicKey: k };
    },
    allowedAlgorithms: ['EdDSA'],
  });
  assert.equal(v.blockIndex, 1);
  assert.equal(v.alg, 'EdDSA');
  assert.equal(v.keyIndex, undefined);
  assert.deepEqual(seen, [0, 1]);
  assert.equal(v.failures.length, 1);
  assert.equal(v.failures[0]?.code, 'ALG_NOT_ALLOWED');
});

test('suitDigest covers the bstr-wrapped manifest, as the draft examples do', () => {
  for (const ex of loadSuitExamples()) {
    const env = decodeEnvelope(ex.envelope);
    assert.deepEqual(
      suitDigest(env.manifest.bytes).bytes,
      env.authentication.digest.bytes,
      ex.name,
    );
  }
});

test('the examples verify with the key given as SPKI DER and KeyObject too', () => {
  const key = createPublicKey(suitPublicKeyPem());
  const der = new Uint8Array(key.export({ format: 'der', type: 'spki' }));
  for (const ex of loadSuitExamples()) {
    assert.equal(verifyEnvelope(ex.envelope, { keys: [der] }).alg, 'ES256');
    assert.equal(
      verifyEnvelope(ex.envelope, { keys: [keyFor('ES256').publicKey, key] }).keyIndex,
      1,
    );
  }
});
