import { OtaStateStore, type OtaState } from '../../ddi/ota-state.js';
import { NodeDisk } from '../../disk/node-disk.js';
import type { AgentStatus } from '../../install/agent.js';
import { AGENT_EXIT, toJson } from '../cli-io.js';
import { HELP_FOOTER, type CliCommand } from '../command.js';

/** The OTA action in flight and a staged bundle, as `status` shows them. */
interface OtaSummary {
  readonly actionId: string;
  readonly stage: OtaState['stage'];
  readonly staged?: { readonly path: string; readonly sha256: string; readonly size: number };
}

const OTA_STAGE_TEXT: Record<OtaState['stage'], string> = {
  installing: 'downloading and installing',
  installed: 'installed, waiting for the trial boot',
  report: 'finished, its report not sent yet',
  downloaded: 'downloaded and verified, waiting for the server to allow the install',
};

function render(
  s: AgentStatus,
  devices: (slot: string) => string,
  ota: OtaSummary | undefined,
): string {
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
  if (ota) {
    lines.push(`ota action:     ${ota.actionId}: ${OTA_STAGE_TEXT[ota.stage]}`);
    if (ota.staged) {
      lines.push(
        `staged bundle:  ${ota.staged.path} (${ota.staged.size} bytes, sha256 ${ota.staged.sha256.slice(0, 16)}…)`,
      );
    }
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
counter, each slot's state (good/bad) and image, a pending trial boot, the last result,
and an OTA action in flight with its staged bundle (download-only or outside the
maintenance window: downloaded and verified, not installed yet).

Options:
  --json   as JSON (sequence numbers and the counter as decimal strings)
${HELP_FOOTER}`,
  async run(ctx) {
    const rt = await ctx.runtime();
    const s = await rt.agent.status();
    const state = await new OtaStateStore(new NodeDisk(), `${rt.config.dataDir}/ota.json`).read();
    const ota: OtaSummary | undefined =
      state === undefined
        ? undefined
        : {
            actionId: state.actionId,
            stage: state.stage,
            ...(state.staged === undefined
              ? {}
              : {
                  staged: {
                    path: state.staged.path,
                    sha256: state.staged.sha256,
                    size: state.staged.size,
                  },
                }),
          };
    if (ctx.values['json'] === true) {
      const slots = Object.fromEntries(
        Object.entries(s.slots).map(([k, v]) => [k, { ...v, device: rt.slots.describe(k) }]),
      );
      ctx.io.out(toJson({ ...s, slots, ...(ota === undefined ? {} : { ota }) }));
    } else {
      ctx.io.out(render(s, (slot) => rt.slots.describe(slot), ota));
    }
    return AGENT_EXIT.OK;
  },
};
