import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  buildFirmwareManifest,
  buildManifest,
  decodeEnvelope,
  FirmwareError,
  PAYLOAD_URI_PREFIX,
  processEnvelope,
  readFirmwareManifest,
  signEnvelope,
  softwareSigner,
  suitCommand,
  verifyEnvelope,
} from '@cairn/core';
import { MemorySuitPlatform, TEST_CLASS_ID, TEST_VENDOR_ID } from '@cairn/testkit';

const payload = Buffer.from('firmware image bytes '.repeat(100));
const sha256 = createHash('sha256').update(payload).digest();

test('firmware profile: build → sign → verify → read gives back what was put in', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const built = buildFirmwareManifest({
    sequenceNumber: 2n ** 63n + 5n,
    vendorId: TEST_VENDOR_ID,
    classId: TEST_CLASS_ID,
    components: [{ id: ['rootfs'], sha256, size: payload.length }],
    version: '3.3.0',
    description: 'spring release',
  });
  const envelope = await signEnvelope({ manifest: built, signer: softwareSigner(privateKey) });
  const verified = verifyEnvelope(envelope, { keys: [publicKey] });
  const fw = readFirmwareManifest(verified.manifest);
  assert.equal(fw.sequenceNumber, 2n ** 63n + 5n);
  assert.deepEqual(Buffer.from(fw.vendorId), Buffer.from(TEST_VENDOR_ID));
  assert.equal(fw.vendorUuid, 'fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe');
  assert.equal(fw.classUuid, '1492af14-2569-5e48-bf42-9b2d51f2ab45');
  assert.equal(fw.version, '3.3.0');
  assert.equal(fw.description, 'spring release');
  assert.equal(fw.components.length, 1);
  assert.deepEqual(Buffer.from(fw.components[0]!.digest.value), sha256);
  assert.equal(fw.components[0]!.size, payload.length);
  assert.equal(fw.components[0]!.version, '3.3.0');
});

test('firmware profile manifests are plain SUIT: the generic processor installs and validates them', async () => {
  const built = buildFirmwareManifest({
    sequenceNumber: 1,
    vendorId: TEST_VENDOR_ID,
    classId: TEST_CLASS_ID,
    components: [{ id: ['rootfs'], sha256, size: payload.length }],
  });
  const { privateKey } = generateKeyPairSync('ed25519');
  const env = decodeEnvelope(
    await signEnvelope({ manifest: built, signer: softwareSigner(privateKey) }),
  );
  const platform = new MemorySuitPlatform({
    identity: { vendorIds: [TEST_VENDOR_ID], classIds: [TEST_CLASS_ID] },
  });
  await processEnvelope(env, platform, {
    sequences: ['install', 'validate'],
    integrated: new Map([[`${PAYLOAD_URI_PREFIX}0`, payload]]),
  });
  assert.deepEqual(
    Buffer.from(platform.components.get(0) ?? []),
    payload,
    'the processor fetched and wrote the payload',
  );
  // a device of another class fails the shared sequence's class check
  const other = new MemorySuitPlatform({
    identity: { vendorIds: [TEST_VENDOR_ID], classIds: [new Uint8Array(16)] },
  });
  await assert.rejects(
    processEnvelope(env, other, {
      sequences: ['install'],
      integrated: new Map([[`${PAYLOAD_URI_PREFIX}0`, payload]]),
    }),
    (e: unknown) => e instanceof Error && 'code' in e && e.code === 'CONDITION_FAILED_CLASS_ID',
  );
});

test('firmware profile: invalid input and foreign manifests are refused with clear errors', () => {
  assert.throws(
    () =>
      buildFirmwareManifest({
        sequenceNumber: 1,
        vendorId: new Uint8Array(3),
        classId: TEST_CLASS_ID,
        components: [{ id: ['x'], sha256: new Uint8Array(31), size: -1 }],
      }),
    (e: unknown) =>
      e instanceof FirmwareError &&
      e.code === 'FIRMWARE_INPUT_INVALID' &&
      /vendorId/.test(e.message) &&
      /sha256/.test(e.message) &&
      /size/.test(e.message),
  );
  // a SUIT manifest without vendor/class checks is not a firmware-profile manifest
  const foreign = buildManifest({
    sequenceNumber: 1,
    components: [[Buffer.from('x')]],
    sharedSequence: [suitCommand.setComponentIndex(0)],
    install: [suitCommand.setComponentIndex(0), suitCommand.action('fetch')],
  });
  assert.throws(
    () => readFirmwareManifest(foreign.manifest),
    (e: unknown) =>
      e instanceof FirmwareError &&
      e.code === 'FIRMWARE_PROFILE_VIOLATION' &&
      /vendor-id/.test(e.message),
  );
});
