import { EnvBootControl } from '../boot/boot-control.js';
import { FileEnvStore } from '../boot/env.js';
import { FileCounterStore } from '../counter/file-counter.js';
import { SimDisk } from '../disk/sim-disk.js';
import { UpdateAgent, type BootResult, type UpdateAgentOptions } from '../install/agent.js';
import { InstallLog } from '../log/install-log.js';
import { DiskSlotStorage } from '../slots/slot-storage.js';
import { SimulatedBootloader, type BootOutcome } from './sim-bootloader.js';
import { StateStore } from './state.js';
import { createHash } from 'node:crypto';

export interface SimulatedDeviceOptions extends Pick<
  UpdateAgentOptions,
  'anchors' | 'identity' | 'revoked' | 'transparency' | 'clock'
> {
  /** Seed for the crash simulator (which unsynced writes survive a power cut). */
  readonly seed?: number;
  /** The factory image in slot A and its sequence number. */
  readonly factoryImage: Uint8Array;
  readonly factorySequenceNumber?: bigint;
  /**
   * Whether a booted image comes up far enough to run the agent (default: yes). A
   * "crashing" image is a failed boot attempt: the bootloader tries again.
   */
  readonly imageBoots?: (image: Uint8Array) => boolean;
  readonly healthCheck?: (slot: string) => Promise<boolean>;
}

export type DeviceBootResult =
  | { readonly booted: string; readonly attempts: number; readonly agent: BootResult }
  | { readonly booted: undefined; readonly attempts: number; readonly reason: string };

/**
 * A whole device in memory: a SimDisk holding two slots, the bootloader environment, the
 * anti-rollback counter, the agent state and the install log; a RAUC-style bootloader;
 * and the agent. Used by the power-loss tests and by `cairn demo`.
 */
export class SimulatedDevice {
  readonly disk: SimDisk;
  readonly agent: UpdateAgent;
  readonly bootloader: SimulatedBootloader;
  readonly slots: DiskSlotStorage;
  readonly counter: FileCounterStore;
  readonly state: StateStore;
  readonly log: InstallLog;
  readonly bootControl: EnvBootControl;
  #booted: string | undefined;

  private constructor(readonly options: SimulatedDeviceOptions) {
    this.disk = new SimDisk(options.seed ?? 1);
    const env = new FileEnvStore(this.disk, '/boot/env');
    this.bootControl = new EnvBootControl(env);
    this.slots = new DiskSlotStorage(this.disk, '/slots');
    this.counter = new FileCounterStore(this.disk, '/data');
    this.state = new StateStore(this.disk, '/data/state.json');
    this.log = new InstallLog(this.disk, '/data/install.log', options.clock);
    this.bootloader = new SimulatedBootloader(
      env,
      this.bootControl,
      this.slots,
      this.state,
      this.counter,
    );
    this.agent = new UpdateAgent({
      slots: this.slots,
      boot: this.bootControl,
      counter: this.counter,
      state: this.state,
      log: this.log,
      anchors: options.anchors,
      identity: options.identity,
      ...(options.revoked ? { revoked: options.revoked } : {}),
      ...(options.transparency ? { transparency: options.transparency } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.healthCheck ? { healthCheck: options.healthCheck } : {}),
      bootedSlot: () => {
        if (this.#booted === undefined)
          return Promise.reject(new Error('the simulated device is not running'));
        return Promise.resolve(this.#booted);
      },
    });
  }

  /** Factory-provision a device: slot A holds the factory image, committed; then boot it. */
  static async create(options: SimulatedDeviceOptions): Promise<SimulatedDevice> {
    const d = new SimulatedDevice(options);
    await d.disk.mkdirp('/boot');
    await d.disk.mkdirp('/slots');
    await d.disk.mkdirp('/data');
    const seq = options.factorySequenceNumber ?? 0n;
    await d.slots.write(
      'A',
      (async function* () {
        await Promise.resolve();
        yield options.factoryImage;
      })(),
    );
    await d.state.write({
      version: 1,
      slots: {
        A: {
          sequenceNumber: String(seq),
          size: options.factoryImage.length,
          sha256: createHash('sha256').update(options.factoryImage).digest('hex'),
          version: 'factory',
          manifestDigest: '',
          installedAt: new Date(0).toISOString(),
        },
      },
    });
    await d.bootControl.setPrimary('A');
    await d.bootControl.setState('B', 'bad');
    if (seq > 0n) await d.counter.raise(seq);
    const first = await d.boot();
    if (first.booted !== 'A') throw new Error('simulated device failed its factory boot');
    return d;
  }

  get bootedSlot(): string | undefined {
    return this.#booted;
  }

  /**
   * Power on (or reboot): the bootloader picks a slot; if the image comes up, the agent's
   * onBoot runs (health check, commit or fallback). Crashing images count as failed
   * attempts and the bootloader tries again, a bounded number of times.
   */
  async boot(): Promise<DeviceBootResult> {
    this.#booted = undefined;
    for (let attempts = 1; attempts <= 16; attempts++) {
      const outcome: BootOutcome = await this.bootloader.boot();
      if (outcome.booted === undefined)
        return { booted: undefined, attempts, reason: outcome.reason };
      const image = await this.disk.read(this.slots.describe(outcome.booted));
      if (image && (this.options.imageBoots ?? (() => true))(image)) {
        this.#booted = outcome.booted;
        return { booted: outcome.booted, attempts, agent: await this.agent.onBoot() };
      }
    }
    return { booted: undefined, attempts: 16, reason: 'every boot attempt crashed' };
  }

  /** Cut the power now: unsynced data is lost (see SimDisk.crash), then power on. */
  async powerCycle(): Promise<DeviceBootResult> {
    this.disk.crash();
    return this.boot();
  }
}
