import { AgentError } from '../errors.js';
import { runTool } from '../tools/run.js';
import type { EnvStore } from './env.js';

export type SlotState = 'good' | 'bad';

/**
 * How the agent talks to the bootloader, with RAUC's bootchooser semantics:
 * the primary slot is the one tried first on the next boot; a slot is "good" while it has
 * boot attempts left and "bad" when it has none.
 */
export interface BootControl {
  readonly description: string;
  readonly slots: readonly string[];
  getPrimary(): Promise<string | undefined>;
  /** Make `slot` the first to boot, with a fresh number of attempts. */
  setPrimary(slot: string): Promise<void>;
  getState(slot: string): Promise<SlotState>;
  setState(slot: string, state: SlotState): Promise<void>;
}

export const DEFAULT_ATTEMPTS = 3;

/**
 * RAUC's convention on a U-Boot or GRUB-style environment: BOOT_ORDER="A B" and
 * BOOT_<slot>_LEFT=<attempts>. The boot script tries the slots in BOOT_ORDER, boots the
 * first with attempts left and decrements its counter; userspace marks a slot good
 * (attempts restored) after a successful boot, or bad (0 attempts).
 */
export class EnvBootControl implements BootControl {
  readonly description: string;
  constructor(
    private readonly env: EnvStore,
    readonly slots: readonly string[] = ['A', 'B'],
    private readonly attempts = DEFAULT_ATTEMPTS,
  ) {
    this.description = `RAUC-style boot selection on ${env.description}`;
  }

  #check(slot: string): void {
    if (!this.slots.includes(slot)) {
      throw new AgentError(
        'BOOT_SLOT_UNKNOWN',
        `unknown slot '${slot}': this device has slots ${this.slots.join(', ')}`,
      );
    }
  }

  #order(env: Record<string, string>): string[] {
    const raw = env['BOOT_ORDER'];
    if (raw === undefined) return [...this.slots];
    return raw.split(/\s+/).filter((s) => s !== '');
  }

  #left(env: Record<string, string>, slot: string): number {
    const raw = env[`BOOT_${slot}_LEFT`];
    if (raw === undefined) return this.attempts;
    const n = Number.parseInt(raw, 10);
    return Number.isFinite(n) && n > 0 ? n : 0;
  }

  async getPrimary(): Promise<string | undefined> {
    const env = await this.env.get();
    return this.#order(env).find((s) => this.slots.includes(s) && this.#left(env, s) > 0);
  }

  async setPrimary(slot: string): Promise<void> {
    this.#check(slot);
    const env = await this.env.get();
    const order = [slot, ...this.#order(env).filter((s) => s !== slot && this.slots.includes(s))];
    for (const s of this.slots) if (!order.includes(s)) order.push(s);
    await this.env.set({
      BOOT_ORDER: order.join(' '),
      [`BOOT_${slot}_LEFT`]: String(this.attempts),
    });
  }

  async getState(slot: string): Promise<SlotState> {
    this.#check(slot);
    return this.#left(await this.env.get(), slot) > 0 ? 'good' : 'bad';
  }

  async setState(slot: string, state: SlotState): Promise<void> {
    this.#check(slot);
    await this.env.set({ [`BOOT_${slot}_LEFT`]: state === 'good' ? String(this.attempts) : '0' });
  }
}

/**
 * A custom boot-selection script with RAUC's interface:
 *   script get-primary                → prints the slot name
 *   script set-primary <slot>
 *   script get-state <slot>           → prints "good" or "bad"
 *   script set-state <slot> good|bad
 */
export class ScriptBootControl implements BootControl {
  readonly description: string;
  constructor(
    private readonly script: string,
    readonly slots: readonly string[] = ['A', 'B'],
  ) {
    this.description = `custom boot script ${script}`;
  }

  async #run(args: string[]): Promise<string> {
    const { stdout } = await runTool(this.script, args);
    return stdout.toString('utf8').trim();
  }

  async getPrimary(): Promise<string | undefined> {
    const s = await this.#run(['get-primary']);
    return s === '' ? undefined : s;
  }

  async setPrimary(slot: string): Promise<void> {
    await this.#run(['set-primary', slot]);
  }

  async getState(slot: string): Promise<SlotState> {
    const s = await this.#run(['get-state', slot]);
    if (s !== 'good' && s !== 'bad') {
      throw new AgentError(
        'BOOT_STATE_CORRUPT',
        `${this.script} get-state ${slot} printed '${s}', expected good or bad`,
      );
    }
    return s;
  }

  async setState(slot: string, state: SlotState): Promise<void> {
    await this.#run(['set-state', slot, state]);
  }
}
