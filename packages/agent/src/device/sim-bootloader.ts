import { createHash } from 'node:crypto';
import type { EnvBootControl } from '../boot/boot-control.js';
import type { EnvStore } from '../boot/env.js';
import type { CounterStore } from '../counter/counter.js';
import type { SlotStorage } from '../slots/slot-storage.js';
import type { StateStore } from './state.js';

export type BootOutcome =
  | { readonly booted: string; readonly sequenceNumber: bigint }
  | { readonly booted: undefined; readonly reason: string };

/**
 * A bootloader for simulated devices with RAUC's U-Boot script logic: walk BOOT_ORDER,
 * take the first slot with attempts left, decrement its counter, and boot it — but only
 * if its image is intact (its SHA-256 matches what the agent recorded for the slot) and
 * not below the committed anti-rollback counter, as a verified-boot bootloader would
 * check. A slot that fails these checks loses all its attempts. When no slot is left,
 * attempts are reset once (as RAUC's script does) and the walk repeats.
 */
export class SimulatedBootloader {
  constructor(
    private readonly env: EnvStore,
    private readonly bootControl: EnvBootControl,
    private readonly slots: SlotStorage,
    private readonly state: StateStore,
    private readonly counter: CounterStore,
  ) {}

  async #intact(slot: string): Promise<bigint | undefined> {
    const image = (await this.state.read()).slots[slot];
    if (!image) return undefined;
    const h = createHash('sha256');
    let size = 0;
    for await (const chunk of this.slots.read(slot, image.size)) {
      h.update(chunk);
      size += chunk.length;
    }
    if (size !== image.size || h.digest('hex') !== image.sha256) return undefined;
    const seq = BigInt(image.sequenceNumber);
    return seq >= (await this.counter.read()) ? seq : undefined;
  }

  async boot(): Promise<BootOutcome> {
    for (let round = 0; round < 2; round++) {
      const env = await this.env.get();
      const order = (env['BOOT_ORDER'] ?? this.bootControl.slots.join(' '))
        .split(/\s+/)
        .filter(Boolean);
      for (const slot of order) {
        if (!this.bootControl.slots.includes(slot)) continue;
        const left = Number.parseInt(env[`BOOT_${slot}_LEFT`] ?? '3', 10);
        if (!(left > 0)) continue;
        await this.env.set({ [`BOOT_${slot}_LEFT`]: String(left - 1) });
        const seq = await this.#intact(slot);
        if (seq === undefined) {
          await this.env.set({ [`BOOT_${slot}_LEFT`]: '0' });
          continue;
        }
        return { booted: slot, sequenceNumber: seq };
      }
      if (round === 0) {
        await this.env.set(
          Object.fromEntries(this.bootControl.slots.map((s) => [`BOOT_${s}_LEFT`, '3'])),
        );
      }
    }
    return {
      booted: undefined,
      reason: 'no slot holds an intact image at or above the anti-rollback counter',
    };
  }
}
