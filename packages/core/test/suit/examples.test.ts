import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  decodeEnvelope,
  encodeCbor,
  encodeEnvelope,
  formatUuid,
  verifyEnvelope,
  type SuitCommand,
  type SuitCommandSequence,
  type SuitManifest,
} from '@cairn/core';
import { loadSuitExamples, suitPublicKeyPem } from '@cairn/testkit';

const examples = loadSuitExamples();
const VENDOR = 'fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe';
const CLASS = '1492af14-2569-5e48-bf42-9b2d51f2ab45';
const DIGEST_A = '00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210';
const DIGEST_B = '0123456789abcdeffedcba987654321000112233445566778899aabbccddeeff';
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function example(n: number): Uint8Array {
  const e = examples.find((x) => x.name === `example${n}`);
  assert.ok(e, `example${n} present`);
  return e.envelope;
}

function names(seq: SuitCommandSequence | undefined): string[] {
  assert.ok(seq);
  return seq.commands.map((c) => c.name);
}

function inline(m: SuitManifest, name: 'install' | 'payloadFetch'): SuitCommandSequence {
  const s = m[name];
  assert.ok(s && s.value, `${name} present`);
  return s.value;
}

function overrides(seq: SuitCommandSequence): SuitCommand[] {
  return seq.commands.filter((c) => c.name === 'override-parameters');
}

test('all six examples are present', () => {
  assert.deepEqual(
    examples.map((e) => e.name),
    ['example0', 'example1', 'example2', 'example3', 'example4', 'example5'],
  );
});

for (const ex of examples) {
  test(`${ex.name}: decodes, re-encodes byte-identically, verifies with public_key.pem`, () => {
    const env = decodeEnvelope(ex.envelope);
    assert.deepEqual(encodeEnvelope(env), ex.envelope);
    const v = verifyEnvelope(ex.envelope, { keys: [suitPublicKeyPem()] });
    assert.equal(v.alg, 'ES256');
    assert.equal(v.blockIndex, 0);
    assert.equal(v.keyIndex, 0);
    assert.equal(v.failures.length, 0);
    // the auth digest is sha256 over the bstr-wrapped manifest
    assert.equal(env.authentication.digest.algorithm, 'sha256');
    assert.equal(
      hex(env.authentication.digest.value),
      createHash('sha256').update(encodeCbor(env.manifest.bytes)).digest('hex'),
    );
    assert.equal(env.authentication.blocks.length, 1);
  });
}

test('the sequence numbers are 0..5, in example order', () => {
  assert.deepEqual(
    examples.map((e) => decodeEnvelope(e.envelope).manifest.sequenceNumber),
    [0, 1, 2, 3, 4, 5],
  );
});

test('example0 (secure boot): vendor/class ids, digest, size, validate and invoke', () => {
  const m = decodeEnvelope(example(0)).manifest;
  assert.equal(
    hex(decodeEnvelope(example(0)).authentication.digest.value),
    '6658ea560262696dd1f13b782239a064da7c6c5cbaf52fded428a6fc83c7e5af',
  );
  assert.deepEqual(
    m.common.components.map((c) => c.map(hex)),
    [['00']],
  );
  const shared = m.common.sharedSequence;
  assert.deepEqual(names(shared), ['override-parameters', 'vendor-identifier', 'class-identifier']);
  const p = shared?.commands[0];
  assert.ok(p?.name === 'override-parameters');
  assert.ok(p.parameters.vendorId && 'uuid' in p.parameters.vendorId);
  assert.equal(formatUuid(p.parameters.vendorId.uuid), VENDOR);
  assert.ok(p.parameters.classId);
  assert.equal(formatUuid(p.parameters.classId), CLASS);
  assert.equal(p.parameters.imageDigest?.algorithm, 'sha256');
  assert.equal(hex(p.parameters.imageDigest.value), DIGEST_A);
  assert.equal(p.parameters.imageSize, 34768);
  assert.deepEqual(names(m.validate), ['image-match']);
  assert.deepEqual(names(m.invoke), ['invoke']);
  const inv = m.invoke?.commands[0];
  assert.ok(inv?.kind === 'directive' && inv.name === 'invoke');
  assert.equal(inv.policy, 2);
  assert.equal(m.install, undefined);
});

test('example1 (download + install): install sets the URI, fetches, checks the image', () => {
  const m = decodeEnvelope(example(1)).manifest;
  const install = inline(m, 'install');
  assert.equal(m.install?.severed, false);
  assert.deepEqual(names(install), ['override-parameters', 'fetch', 'image-match']);
  const o = overrides(install)[0];
  assert.ok(o?.name === 'override-parameters');
  assert.equal(o.parameters.uri, 'http://example.com/file.bin');
  assert.deepEqual(names(m.validate), ['image-match']);
  assert.equal(m.invoke, undefined);
});

test('example2 (severed members): install and text severed, digests checked, text decoded', () => {
  const env = decodeEnvelope(example(2));
  const m = env.manifest;
  assert.equal(m.referenceUri, 'https://git.io/JJYoj');
  assert.ok(m.install?.severed);
  assert.equal(
    hex(m.install.digest.value),
    'cfa90c5c58595e7f5119a72f803fd0370b3e6abbec6315cd38f63135281bc498',
  );
  assert.ok(m.text?.severed);
  assert.equal(
    hex(m.text.digest.value),
    '302196d452bce5e8bfeaf71e395645ede6d365e63507a081379721eeecf00007',
  );
  assert.deepEqual([...env.severed.keys()], [20, 23]);
  const install = inline(m, 'install');
  assert.deepEqual(names(install), ['override-parameters', 'fetch', 'image-match']);
  const o = overrides(install)[0];
  assert.ok(o?.name === 'override-parameters');
  assert.equal(o.parameters.uri, 'http://example.com/very/long/path/to/file/file.bin');
  const en = m.text.value?.languages.get('en-US');
  assert.ok(en);
  assert.match(en.fields.get(1) ?? '', /^## Example 2: Simultaneous Download/);
  const comp = en.components[0];
  assert.ok(comp);
  assert.deepEqual(comp.component.map(hex), ['00']);
  assert.equal(comp.fields.get(3), 'arm.com');
  assert.match(comp.fields.get(5) ?? '', /demonstration/);
});

test('example2 without its severed members still decodes; the members are reported missing', () => {
  const env = decodeEnvelope(example(2));
  const stripped = encodeEnvelope({ ...env, severed: new Map(), keyOrder: undefined });
  const again = decodeEnvelope(stripped);
  assert.ok(again.manifest.install?.severed);
  assert.equal(again.manifest.install.value, undefined);
  verifyEnvelope(stripped, { keys: [suitPublicKeyPem()] });
});

test('example3 (A/B): try-each alternatives pick digest/size and URI by slot', () => {
  const m = decodeEnvelope(example(3)).manifest;
  const shared = m.common.sharedSequence;
  assert.deepEqual(names(shared), [
    'override-parameters',
    'try-each',
    'vendor-identifier',
    'class-identifier',
  ]);
  const tryEach = shared?.commands[1];
  assert.ok(tryEach?.name === 'try-each');
  assert.equal(tryEach.sequences.length, 2);
  const picked = tryEach.sequences.map((s) => {
    assert.ok(s);
    const [slot, img] = overrides(s);
    assert.ok(slot?.name === 'override-parameters' && img?.name === 'override-parameters');
    return [
      slot.parameters.componentSlot,
      hex(img.parameters.imageDigest?.value ?? new Uint8Array()),
      img.parameters.imageSize,
    ];
  });
  assert.deepEqual(picked, [
    [0, DIGEST_A, 34768],
    [1, DIGEST_B, 76834],
  ]);
  const install = inline(m, 'install');
  assert.deepEqual(names(install), ['try-each', 'fetch', 'image-match']);
  const ti = install.commands[0];
  assert.ok(ti?.name === 'try-each');
  const uris = ti.sequences.map((s) => {
    const o = s ? overrides(s)[1] : undefined;
    return o?.name === 'override-parameters' ? o.parameters.uri : undefined;
  });
  assert.deepEqual(uris, ['http://example.com/file1.bin', 'http://example.com/file2.bin']);
});

test('example4 (load): three components, payload-fetch, install copy, load copy, invoke', () => {
  const m = decodeEnvelope(example(4)).manifest;
  assert.deepEqual(
    m.common.components.map((c) => c.map(hex)),
    [['00'], ['02'], ['01']],
  );
  assert.deepEqual(names(inline(m, 'payloadFetch')), [
    'set-component-index',
    'override-parameters',
    'fetch',
    'image-match',
  ]);
  assert.deepEqual(names(inline(m, 'install')), [
    'set-component-index',
    'override-parameters',
    'copy',
    'image-match',
  ]);
  assert.deepEqual(names(m.load), [
    'set-component-index',
    'override-parameters',
    'copy',
    'image-match',
  ]);
  const lo = m.load?.commands[1];
  assert.ok(lo?.name === 'override-parameters');
  assert.equal(lo.parameters.sourceComponent, 0);
  assert.equal(lo.parameters.imageSize, 76834);
  assert.equal(hex(lo.parameters.imageDigest?.value ?? new Uint8Array()), DIGEST_B);
  const idx = m.invoke?.commands[0];
  assert.ok(idx?.name === 'set-component-index');
  assert.equal(idx.index, 2);
});

test('example5 (two images): two components, two URIs, both validated', () => {
  const m = decodeEnvelope(example(5)).manifest;
  assert.equal(m.common.components.length, 2);
  const install = inline(m, 'install');
  const uris = overrides(install).map((o) =>
    o.name === 'override-parameters' ? o.parameters.uri : '',
  );
  assert.deepEqual(uris, ['http://example.com/file1.bin', 'http://example.com/file2.bin']);
  assert.deepEqual(names(m.validate), [
    'set-component-index',
    'image-match',
    'set-component-index',
    'image-match',
  ]);
});
