import type { AgentStatus } from '../../install/agent.js';
import { AGENT_EXIT, toJson } from '../cli-io.js';
import { HELP_FOOTER, type CliCommand } from '../command.js';

function render(s: AgentStatus, devices: (slot: string) => string): string {
  const lines = [
    `booted slot:    ${s.bootedSlot}`,
    `next boot:      ${s.primary ?? '(no bootable slot!)'}`,
    `anti-rollback:  ${s.counter}`,
  ];
  for (const [name, slot] of Object.entries(s.slots)) {
    const img = slot.image;
    const what = img
      ? `${img.version ?? 'image'} seq ${img.sequenceNumber}, ${img.size} bytes, sha256 ${img.sha256.slice(0, 16)}…`
      : 'no verified image recorded';
    lines.push(`slot ${name}:  ${slot.state.padEnd(4)}  ${devices(name)}  ${what}`);
  }
  if (s.pending) {
    lines.push(
      `pending:        slot ${s.pending.slot} (seq ${s.pending.sequenceNumber}) waits for its trial boot since ${s.pending.since}`,
    );
  }
  if (s.lastResult) {
    lines.push(
      `last result:    ${s.lastResult.outcome}${s.lastResult.code ? ` (${s.lastResult.code})` : ''} at ${s.lastResult.time}`,
    );
  }
  return lines.join('\n') + '\n';
}

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'show slots, boot order, anti-rollback counter and any pending trial',
  positionals: [0, 0],
  options: { json: { type: 'boolean' } },
  help: `Usage: cairn-agent status [--json]

Shows the booted slot, the slot the bootloader tries next, the committed anti-rollback
counter, each slot's state (good/bad) and image, a pending trial boot and the last result.

Options:
  --json   as JSON (sequence numbers and the counter as decimal strings)
${HELP_FOOTER}`,
  async run(ctx) {
    const rt = await ctx.runtime();
    const s = await rt.agent.status();
    if (ctx.values['json'] === true) {
      const slots = Object.fromEntries(
        Object.entries(s.slots).map(([k, v]) => [k, { ...v, device: rt.slots.describe(k) }]),
      );
      ctx.io.out(toJson({ ...s, slots }));
    } else {
      ctx.io.out(render(s, (slot) => rt.slots.describe(slot)));
    }
    return AGENT_EXIT.OK;
  },
};
