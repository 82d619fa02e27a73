import { randomBytes } from 'node:crypto';
import { anchorFromPem, FIXTURE } from './fixture-time.js';
import { SimulatedDevice, type SimulatedDeviceOptions } from '@cairn/agent';
import { createFirmwareFixture, type FirmwareFixture } from '@cairn/testkit';

export { FIXTURE };

/** One firmware fixture (chain + product) shared by a test file: RSA-free, fast. */
let shared: Promise<FirmwareFixture> | undefined;
export function fixture(): Promise<FirmwareFixture> {
  shared ??= createFirmwareFixture({ alg: 'P-256' });
  return shared;
}

export const FACTORY = Buffer.from('factory image v0 '.repeat(64));

export async function newDevice(
  fx: FirmwareFixture,
  extra: Partial<SimulatedDeviceOptions> = {},
): Promise<SimulatedDevice> {
  return SimulatedDevice.create({
    anchors: [anchorFromPem(fx.anchorPem)],
    identity: { vendorId: fx.vendorId, classId: fx.classId },
    factoryImage: FACTORY,
    clock: () => FIXTURE,
    ...extra,
  });
}

export function image(label: string, size = 4096): Buffer {
  return Buffer.concat([Buffer.from(`${label}\n`), randomBytes(size)]);
}

export async function* chunks(b: Uint8Array, size = 1000): AsyncIterable<Uint8Array> {
  for (let i = 0; i < b.length; i += size) {
    await Promise.resolve();
    yield b.subarray(i, i + size);
  }
}
