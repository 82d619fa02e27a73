import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyObject } from 'node:crypto';
import {
  anchorFromPem,
  softwareSigner,
  spkiSha256,
  writeBundle,
  type RevocationList,
} from '@cairn/core';
import { InstallError, type InstallRejectCode, type SimulatedDevice } from '@cairn/agent';
import {
  createFirmwareFixture,
  makeTestBundle,
  makeTestEnvelope,
  type FirmwareFixture,
} from '@cairn/testkit';
import { chunks, FACTORY, fixture, image, newDevice } from './helpers.js';

async function bundleFrom(envelope: Uint8Array, payload: Uint8Array): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of writeBundle({
    envelope,
    payloads: [{ componentIndex: 0, size: payload.length, source: chunks(payload) }],
  })) {
    parts.push(c);
  }
  return Buffer.concat(parts);
}

/** Install `bundle`, expect `code`; the active slot, boot order and counter must be untouched. */
async function expectRejected(
  d: SimulatedDevice,
  bundle: Uint8Array,
  code: InstallRejectCode,
): Promise<void> {
  const before = { counter: await d.counter.read(), primary: await d.bootControl.getPrimary() };
  const activeBefore = Buffer.from((await d.disk.read(d.slots.describe('A'))) ?? []);
  await assert.rejects(
    d.agent.install(chunks(bundle), { origin: 'usb:test.cairn' }),
    (e: unknown) => {
      assert.ok(e instanceof InstallError, `expected InstallError, got ${String(e)}`);
      assert.equal(e.code, code, e.message);
      return true;
    },
  );
  assert.deepEqual(
    Buffer.from((await d.disk.read(d.slots.describe('A'))) ?? []),
    activeBefore,
    'active slot untouched',
  );
  assert.equal(await d.bootControl.getPrimary(), before.primary, 'boot order untouched');
  assert.equal(await d.counter.read(), before.counter, 'counter untouched');
  assert.equal(await d.bootControl.getState('B'), 'bad', 'inactive slot marked bad');
  const last = (await d.agent.log()).at(-1);
  assert.equal(last?.event, 'REJECTED');
  assert.equal(last.code, code);
  // and the device still boots its current image
  const boot = await d.boot();
  assert.equal(boot.booted, 'A');
}

test('rejections: each bad bundle is refused with its own code, the active slot untouched, and logged', async (t) => {
  const fx = await fixture();
  const img = image('v2');
  const good = await makeTestBundle(fx, { sequenceNumber: 10, payload: img });

  await t.test('tampered payload → PAYLOAD_DIGEST_MISMATCH', async () => {
    const b = Buffer.from(good);
    b[b.length - 100] = (b[b.length - 100] ?? 0) ^ 0x01;
    await expectRejected(await newDevice(fx), b, 'PAYLOAD_DIGEST_MISMATCH');
  });

  await t.test('tampered manifest (header checksum recomputed) → SIGNATURE_INVALID', async () => {
    const env = Buffer.from(await makeTestEnvelope(fx, { sequenceNumber: 10, payload: img }));
    // change the sequence number inside the signed manifest: 0x02 0x0a (key 2: 10) → 0x02 0x0b
    const at = env.indexOf(Buffer.from([0x01, 0x01, 0x02, 0x0a]));
    assert.ok(at > 0, 'found the sequence number in the manifest');
    env[at + 3] = 0x0b;
    await expectRejected(await newDevice(fx), await bundleFrom(env, img), 'SIGNATURE_INVALID');
  });

  await t.test('unsigned bundle → NOT_SIGNED', async () => {
    await expectRejected(
      await newDevice(fx),
      await makeTestBundle(fx, { sequenceNumber: 10, payload: img, signer: null }),
      'NOT_SIGNED',
    );
  });

  await t.test('signature by an unanchored key → KEY_NOT_TRUSTED', async () => {
    const other = await createFirmwareFixture();
    const b = await makeTestBundle(fx, {
      sequenceNumber: 10,
      payload: img,
      signer: other.signer,
      x5chain: other.chain.chain,
    });
    await expectRejected(await newDevice(fx), b, 'KEY_NOT_TRUSTED');
  });

  const deviceFor = (f: FirmwareFixture, revoked?: RevocationList): Promise<SimulatedDevice> =>
    newDevice(f, { anchors: [anchorFromPem(f.anchorPem)], ...(revoked ? { revoked } : {}) });

  await t.test('expired signing certificate → CERT_EXPIRED', async () => {
    const f = await createFirmwareFixture({
      chain: { leaf: { notAfter: new Date('2025-01-01T00:00:00Z') } },
    });
    await expectRejected(
      await deviceFor(f),
      await makeTestBundle(f, { sequenceNumber: 10, payload: img }),
      'CERT_EXPIRED',
    );
  });

  await t.test('revoked signing certificate → CERT_REVOKED', async () => {
    const f = await createFirmwareFixture();
    const revoked: RevocationList = {
      entries: [{ serial: f.chain.leaf.serial, issuerSpkiSha256: spkiSha256(f.chain.ca.key.spki) }],
    };
    await expectRejected(
      await deviceFor(f, revoked),
      await makeTestBundle(f, { sequenceNumber: 10, payload: img }),
      'CERT_REVOKED',
    );
  });

  await t.test('certificate without EKU codeSigning → CERT_NOT_CODE_SIGNING', async () => {
    const f = await createFirmwareFixture({ chain: { leaf: { eku: ['1.3.6.1.5.5.7.3.1'] } } });
    await expectRejected(
      await deviceFor(f),
      await makeTestBundle(f, { sequenceNumber: 10, payload: img }),
      'CERT_NOT_CODE_SIGNING',
    );
  });

  await t.test('wrong vendor ID → WRONG_VENDOR, wrong class ID → WRONG_CLASS', async () => {
    const other = Uint8Array.from(Buffer.alloc(16, 0x42));
    await expectRejected(
      await newDevice(fx),
      await makeTestBundle(fx, { sequenceNumber: 10, payload: img, vendorId: other }),
      'WRONG_VENDOR',
    );
    await expectRejected(
      await newDevice(fx),
      await makeTestBundle(fx, { sequenceNumber: 10, payload: img, classId: other }),
      'WRONG_CLASS',
    );
  });

  await t.test(
    'validly signed lower sequence number → DOWNGRADE, logged as an attempted downgrade',
    async () => {
      const d = await newDevice(fx, { factorySequenceNumber: 20n });
      await expectRejected(d, good, 'DOWNGRADE');
      const rejected = (await d.agent.log()).find((e) => e.event === 'REJECTED');
      assert.match(rejected?.detail ?? '', /attempted downgrade/);
      const same = await makeTestBundle(fx, { sequenceNumber: 20, payload: img });
      await expectRejected(d, same, 'ALREADY_INSTALLED');
    },
  );

  await t.test(
    'payload longer than declared → PAYLOAD_TOO_LONG; shorter → PAYLOAD_TOO_SHORT',
    async () => {
      await expectRejected(
        await newDevice(fx),
        Buffer.concat([good, Buffer.alloc(1000, 7)]),
        'PAYLOAD_TOO_LONG',
      );
      await expectRejected(
        await newDevice(fx),
        good.subarray(0, good.length - 10),
        'PAYLOAD_TOO_SHORT',
      );
    },
  );

  await t.test(
    'payload table that disagrees with the manifest size → PAYLOAD_MISMATCH',
    async () => {
      const env = await makeTestEnvelope(fx, {
        sequenceNumber: 10,
        payload: img,
        declaredSize: img.length - 1,
      });
      await expectRejected(await newDevice(fx), await bundleFrom(env, img), 'PAYLOAD_MISMATCH');
    },
  );

  await t.test(
    'manifest of one release with the payload of another → PAYLOAD_DIGEST_MISMATCH',
    async () => {
      const other = image('v3');
      const env = await makeTestEnvelope(fx, { sequenceNumber: 10, payload: img });
      await expectRejected(
        await newDevice(fx),
        await bundleFrom(env, other),
        'PAYLOAD_DIGEST_MISMATCH',
      );
    },
  );

  await t.test('garbage instead of a bundle → BUNDLE_MALFORMED', async () => {
    await expectRejected(await newDevice(fx), FACTORY, 'BUNDLE_MALFORMED');
  });

  await t.test('a self-signed key pinned nowhere, no x5chain → KEY_NOT_TRUSTED', async () => {
    const f = await createFirmwareFixture();
    const loose = softwareSigner(KeyObject.from(f.chain.leaf.key.pair.privateKey));
    const env = await makeTestEnvelope(fx, {
      sequenceNumber: 10,
      payload: img,
      signer: loose,
      x5chain: null,
    });
    await expectRejected(await newDevice(fx), await bundleFrom(env, img), 'KEY_NOT_TRUSTED');
  });
});
