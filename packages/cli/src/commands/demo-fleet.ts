import { anchorFromPem, noteVerifierFromKey, parseUuid } from '@cairn/core';
import { DdiClient, OtaUpdater, readFileChunks, SimulatedDevice } from '@cairn/agent';
import type { InstallResult, PollOutcome } from '@cairn/agent';
import type { PlatformInfo } from '../platform/bootstrap.js';

/** Marks the images the faulty device cannot boot (its hardware revision lacks a driver). */
export const CRASH_MARKER = 'needs-rev2-driver';
export const FACTORY_IMAGE = Buffer.from('cairn demo factory image\n'.repeat(64));

/** What happened to one simulated device, for the summary table. */
export interface DeviceRecord {
  readonly id: string;
  readonly group: number;
  readonly faulty: boolean;
  before: string;
  after: string;
  outcomes: string[];
  /** Poll round of the first deployment seen and of the commit (rollout ordering). */
  firstDeploymentRound?: number;
  committedRound?: number;
}

/** One simulated device talking hawkBit DDI over HTTPS to the update server. */
export class DemoDevice {
  readonly record: DeviceRecord;
  readonly device: SimulatedDevice;
  readonly ota: OtaUpdater;

  private constructor(record: DeviceRecord, device: SimulatedDevice, ota: OtaUpdater) {
    this.record = record;
    this.device = device;
    this.ota = ota;
  }

  static async create(o: {
    id: string;
    group: number;
    faulty: boolean;
    token: string;
    info: PlatformInfo;
    caPem: string;
    seed: number;
  }): Promise<DemoDevice> {
    const device = await SimulatedDevice.create({
      anchors: [anchorFromPem(o.caPem, { label: 'Cairn Root CA' })],
      identity: {
        vendorId: parseUuid(o.info.product.vendorId),
        classId: parseUuid(o.info.product.classId),
      },
      transparency: {
        required: true,
        logVerifier: noteVerifierFromKey(o.info.tlogVerifierKey),
      },
      factoryImage: FACTORY_IMAGE,
      seed: o.seed,
      imageBoots: (img) => !(o.faulty && Buffer.from(img).includes(CRASH_MARKER)),
    });
    const client = new DdiClient({
      baseUrl: o.info.serverUrl,
      controllerId: o.id,
      auth: { type: 'target', token: o.token },
      tls: { ca: o.caPem },
      timeoutMs: 15_000,
    });
    const ota = new OtaUpdater({
      client,
      agent: device.agent,
      disk: device.disk,
      attributes: () => ({ hw: o.faulty ? 'rev1' : 'rev2', serial: o.id }),
      sleep: () => Promise.resolve(),
      download: { sleep: () => Promise.resolve() },
    });
    const record: DeviceRecord = {
      id: o.id,
      group: o.group,
      faulty: o.faulty,
      before: 'factory',
      after: 'factory',
      outcomes: [],
    };
    return new DemoDevice(record, device, ota);
  }

  /** The version in the slot the device runs now. */
  async runningVersion(): Promise<string> {
    const s = await this.device.agent.status();
    return s.slots[s.bootedSlot]?.image?.version ?? '?';
  }

  /** Install a bundle from a file (USB stick / SD card), then reboot into it. */
  async installFile(
    path: string,
  ): Promise<{ install?: InstallResult; code?: string; boot?: string }> {
    try {
      const install = await this.device.agent.install(readFileChunks(path), {
        origin: `file:${path}`,
      });
      const boot = await this.device.boot();
      return { install, boot: boot.booted === undefined ? 'no boot' : boot.agent.outcome };
    } catch (err) {
      return { code: (err as { code?: string }).code ?? String(err) };
    }
  }

  /**
   * One DDI poll; an installed update is booted at once (simulated reboot) and the
   * verdict reported. Returns what happened.
   */
  async poll(round: number): Promise<{ outcome: PollOutcome; boot?: string }> {
    const cycle = await this.ota.pollOnce();
    const outcome = cycle.outcome;
    if (outcome.kind !== 'idle' && outcome.kind !== 'failed')
      this.record.firstDeploymentRound ??= round;
    if (outcome.kind !== 'installed') return { outcome };
    const boot = await this.device.boot();
    if (boot.booted === undefined) return { outcome, boot: `no slot booted: ${boot.reason}` };
    await this.ota.reportBoot(boot.agent);
    if (boot.agent.outcome === 'committed') this.record.committedRound = round;
    return { outcome, boot: boot.agent.outcome };
  }
}
