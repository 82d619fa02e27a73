import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeEnvelope, decodeEnvelope, processEnvelope, SuitProcessError } from '@cairn/core';
import { assertRejectsCode } from '@cairn/testkit';
import {
  CLASS,
  exampleEnvelope,
  examplePlatform,
  IMAGE_A,
  IMAGE_B,
  OTHER,
  VENDOR,
} from './helpers.js';

async function rejectsAt(
  p: Promise<unknown>,
  code: string,
  where: { sequence: string; section: string; commandIndex: number },
): Promise<SuitProcessError> {
  const err = await assertRejectsCode(() => p, code);
  assert.ok(err instanceof SuitProcessError);
  assert.equal(err.sequence, where.sequence);
  assert.equal(err.section, where.section);
  assert.equal(err.commandIndex, where.commandIndex);
  return err;
}

test('example0: secure boot validates the image, then invokes it', async () => {
  const pf = examplePlatform({ components: new Map([[0, IMAGE_A]]) });
  const r = await processEnvelope(exampleEnvelope(0), pf);
  assert.deepEqual(r.ran, ['validate', 'invoke']);
  assert.deepEqual(r.skipped, ['payloadFetch', 'install', 'load']);
  assert.deepEqual(pf.invocations, [{ component: 0, args: undefined }]);
  assert.deepEqual(pf.fetched, []);
});

test('example0: a wrong image fails image-match in validate (command 0) and is not invoked', async () => {
  const pf = examplePlatform({ components: new Map([[0, IMAGE_B]]) });
  await rejectsAt(processEnvelope(exampleEnvelope(0), pf), 'CONDITION_FAILED_IMAGE_MATCH', {
    sequence: 'validate',
    section: 'validate',
    commandIndex: 0,
  });
  assert.deepEqual(pf.invocations, []);
});

test('example0: an empty component fails image-match', async () => {
  const pf = examplePlatform();
  await assertRejectsCode(
    () => processEnvelope(exampleEnvelope(0), pf),
    'CONDITION_FAILED_IMAGE_MATCH',
  );
});

test('wrong vendor fails vendor-identifier at shared-sequence command 1', async () => {
  const pf = examplePlatform({
    identity: { vendorIds: [OTHER], classIds: [CLASS] },
    components: new Map([[0, IMAGE_A]]),
  });
  await rejectsAt(processEnvelope(exampleEnvelope(0), pf), 'CONDITION_FAILED_VENDOR_ID', {
    sequence: 'validate',
    section: 'shared-sequence',
    commandIndex: 1,
  });
});

test('wrong class fails class-identifier at shared-sequence command 2', async () => {
  const pf = examplePlatform({
    identity: { vendorIds: [VENDOR], classIds: [OTHER] },
    components: new Map([[0, IMAGE_A]]),
  });
  await rejectsAt(processEnvelope(exampleEnvelope(1), pf), 'CONDITION_FAILED_CLASS_ID', {
    sequence: 'install',
    section: 'shared-sequence',
    commandIndex: 2,
  });
  assert.deepEqual(pf.fetched, [], 'nothing fetched for another class');
});

test('a device matching one of several vendor ids passes', async () => {
  const pf = examplePlatform({
    identity: { vendorIds: [OTHER, VENDOR], classIds: [CLASS] },
    components: new Map([[0, IMAGE_A]]),
  });
  await processEnvelope(exampleEnvelope(0), pf);
  assert.equal(pf.invocations.length, 1);
});

test('example1: install fetches from the URI, then image-match and validate pass', async () => {
  const pf = examplePlatform({ fetchable: new Map([['http://example.com/file.bin', IMAGE_A]]) });
  const r = await processEnvelope(exampleEnvelope(1), pf);
  assert.deepEqual(r.ran, ['install', 'validate']);
  assert.deepEqual(pf.fetched, ['http://example.com/file.bin']);
  assert.deepEqual(pf.components.get(0), IMAGE_A);
  assert.deepEqual(pf.invocations, []);
});

test('example1: a failed download stops install at the fetch (command 1)', async () => {
  const pf = examplePlatform();
  const err = await rejectsAt(processEnvelope(exampleEnvelope(1), pf), 'PLATFORM_FAILED', {
    sequence: 'install',
    section: 'install',
    commandIndex: 1,
  });
  assert.match(err.message, /404/);
});

test('example1: a wrong download fails image-match in install (command 2)', async () => {
  const pf = examplePlatform({ fetchable: new Map([['http://example.com/file.bin', IMAGE_B]]) });
  await rejectsAt(processEnvelope(exampleEnvelope(1), pf), 'CONDITION_FAILED_IMAGE_MATCH', {
    sequence: 'install',
    section: 'install',
    commandIndex: 2,
  });
});

test('example2: the severed install runs (fetch, check), then validate and invoke', async () => {
  const uri = 'http://example.com/very/long/path/to/file/file.bin';
  const pf = examplePlatform({ fetchable: new Map([[uri, IMAGE_A]]) });
  const r = await processEnvelope(exampleEnvelope(2), pf);
  assert.deepEqual(r.ran, ['install', 'validate', 'invoke']);
  assert.deepEqual(pf.fetched, [uri]);
  assert.deepEqual(pf.invocations, [{ component: 0, args: undefined }]);
});

test('example2 with install severed away: SEVERED_MISSING; secure boot still works', async () => {
  const env = exampleEnvelope(2);
  const stripped = decodeEnvelope(
    encodeEnvelope({ ...env, severed: new Map(), keyOrder: undefined }),
  );
  const pf = examplePlatform({ components: new Map([[0, IMAGE_A]]) });
  await assertRejectsCode(() => processEnvelope(stripped, pf), 'SEVERED_MISSING');
  const r = await processEnvelope(stripped, pf, { sequences: ['validate', 'load', 'invoke'] });
  assert.deepEqual(r.ran, ['validate', 'invoke']);
  assert.equal(pf.invocations.length, 1);
});

for (const [slot, image, uri] of [
  [0, IMAGE_A, 'http://example.com/file1.bin'],
  [1, IMAGE_B, 'http://example.com/file2.bin'],
] as const) {
  test(`example3: in slot ${slot} try-each selects that slot's URI and digest/size`, async () => {
    const pf = examplePlatform({
      slots: new Map([[0, slot]]),
      fetchable: new Map([
        ['http://example.com/file1.bin', IMAGE_A],
        ['http://example.com/file2.bin', IMAGE_B],
      ]),
    });
    const r = await processEnvelope(exampleEnvelope(3), pf);
    assert.deepEqual(r.ran, ['install', 'validate']);
    assert.deepEqual(pf.fetched, [uri]);
    assert.deepEqual(pf.components.get(0), image);
    const slotChecks = r.trace.filter((t) => t.command === 'component-slot');
    assert.ok(slotChecks.length > 0);
  });
}

test("example3: slot 0 holding slot 1's image fails validate image-match", async () => {
  const pf = examplePlatform({ slots: new Map([[0, 0]]), components: new Map([[0, IMAGE_B]]) });
  await rejectsAt(
    processEnvelope(exampleEnvelope(3), pf, { sequences: ['validate'] }),
    'CONDITION_FAILED_IMAGE_MATCH',
    {
      sequence: 'validate',
      section: 'validate',
      commandIndex: 0,
    },
  );
});

test('example3: a device in an unknown slot fails try-each in the shared sequence', async () => {
  const pf = examplePlatform({ slots: new Map([[0, 7]]), components: new Map([[0, IMAGE_A]]) });
  const err = await rejectsAt(
    processEnvelope(exampleEnvelope(3), pf, { sequences: ['validate'] }),
    'TRY_EACH_FAILED',
    {
      sequence: 'validate',
      section: 'shared-sequence',
      commandIndex: 1,
    },
  );
  assert.ok(err.cause instanceof SuitProcessError);
  assert.equal(err.cause.code, 'CONDITION_FAILED_SLOT');
});

test('example4: payload-fetch, install by copy, load by copy (decompress), invoke the loaded image', async () => {
  const pf = examplePlatform({
    fetchable: new Map([['http://example.com/file.bin', IMAGE_A]]),
    copyTransform: (data, _src, dst) => (dst === 2 ? IMAGE_B : data.slice()),
  });
  const r = await processEnvelope(exampleEnvelope(4), pf);
  assert.deepEqual(r.ran, ['payloadFetch', 'install', 'validate', 'load', 'invoke']);
  assert.deepEqual(pf.fetched, ['http://example.com/file.bin']);
  assert.deepEqual(pf.copies, [
    { source: 1, destination: 0 },
    { source: 0, destination: 2 },
  ]);
  assert.deepEqual(pf.components.get(2), IMAGE_B);
  assert.deepEqual(pf.invocations, [{ component: 2, args: undefined }]);
});

test('example4: a load that does not produce the expected image fails load image-match (command 3)', async () => {
  const pf = examplePlatform({ components: new Map([[0, IMAGE_A]]) });
  await rejectsAt(
    processEnvelope(exampleEnvelope(4), pf, { sequences: ['validate', 'load', 'invoke'] }),
    'CONDITION_FAILED_IMAGE_MATCH',
    {
      sequence: 'load',
      section: 'load',
      commandIndex: 3,
    },
  );
  assert.deepEqual(pf.invocations, []);
});

test('example5: two images fetched into two components, both validated, component 0 invoked', async () => {
  const pf = examplePlatform({
    fetchable: new Map([
      ['http://example.com/file1.bin', IMAGE_A],
      ['http://example.com/file2.bin', IMAGE_B],
    ]),
  });
  const r = await processEnvelope(exampleEnvelope(5), pf);
  assert.deepEqual(r.ran, ['install', 'validate', 'invoke']);
  assert.deepEqual(pf.components.get(0), IMAGE_A);
  assert.deepEqual(pf.components.get(1), IMAGE_B);
  assert.deepEqual(pf.invocations, [{ component: 0, args: undefined }]);
});

test('example5: swapped images fail validate at the second component check (command 3)', async () => {
  const pf = examplePlatform({
    components: new Map([
      [0, IMAGE_A],
      [1, IMAGE_A],
    ]),
  });
  const err = await rejectsAt(
    processEnvelope(exampleEnvelope(5), pf, { sequences: ['validate'] }),
    'CONDITION_FAILED_IMAGE_MATCH',
    {
      sequence: 'validate',
      section: 'validate',
      commandIndex: 3,
    },
  );
  assert.equal(err.componentIndex, 1);
});
