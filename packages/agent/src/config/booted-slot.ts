import { readFile } from 'node:fs/promises';
import { AgentConfigError } from './errors.js';
import type { BootedSlotConfig } from './schema.js';

const CMDLINE_KEYS = ['rauc.slot', 'cairn.slot'] as const;

/**
 * The slot named on a kernel command line: `rauc.slot=<name>` (RAUC's convention, set by
 * the boot script) or `cairn.slot=<name>`. Undefined when neither is present.
 */
export function slotFromCmdline(cmdline: string): string | undefined {
  for (const token of cmdline.trim().split(/\s+/)) {
    const i = token.indexOf('=');
    if (i < 0) continue;
    const key = token.slice(0, i);
    if ((CMDLINE_KEYS as readonly string[]).includes(key)) return token.slice(i + 1);
  }
  return undefined;
}

async function readSmall(path: string, what: string): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    return text.slice(0, 64 * 1024);
  } catch (err) {
    throw new AgentConfigError(
      'BOOTED_SLOT_UNKNOWN',
      `cannot read ${what} ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      { cause: err },
    );
  }
}

/** A function that tells which slot the running system booted from, per the configuration. */
export function bootedSlotReader(
  cfg: BootedSlotConfig,
  slots: readonly string[],
): () => Promise<string> {
  const check = (slot: string | undefined, where: string): string => {
    if (slot === undefined || !slots.includes(slot)) {
      throw new AgentConfigError(
        'BOOTED_SLOT_UNKNOWN',
        slot === undefined
          ? `${where} names no booted slot: add rauc.slot=<slot> (or cairn.slot=<slot>) to the kernel command line in the boot script, or set bootedSlot in the configuration`
          : `${where} says the booted slot is '${slot}', which is not a configured slot (${slots.join(', ')})`,
      );
    }
    return slot;
  };
  switch (cfg.source) {
    case 'fixed':
      return () => Promise.resolve(check(cfg.slot, 'the configuration'));
    case 'file':
      return async () => check((await readSmall(cfg.path, 'booted-slot file')).trim(), cfg.path);
    case 'cmdline':
      return async () =>
        check(slotFromCmdline(await readSmall(cfg.path, 'kernel command line')), cfg.path);
  }
}
