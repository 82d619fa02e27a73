import { createOtaUpdater } from '../../config/ddi.js';
import type { BootResult } from '../../install/agent.js';
import { AGENT_EXIT, toJson } from '../cli-io.js';
import { HELP_FOOTER, type CliCommand } from '../command.js';

function describe(r: BootResult): string {
  switch (r.outcome) {
    case 'idle':
      return `running slot ${r.slot}; no trial pending\n`;
    case 'committed':
      return `committed slot ${r.slot} (sequence ${r.sequenceNumber}); anti-rollback counter raised\n`;
    case 'trial-failed':
      return `slot ${r.slot} failed its health check and is marked bad (HEALTH_CHECK_FAILED); reboot to fall back\n`;
    case 'fell-back':
      return `slot ${r.failedSlot} did not boot (TRIAL_BOOT_FAILED); running the previous image in slot ${r.slot}\n`;
  }
}

export const bootCheckCommand: CliCommand = {
  name: 'boot-check',
  summary: 'run at every boot: health-check a trial slot, then commit it or record the fallback',
  positionals: [0, 0],
  options: { json: { type: 'boolean' } },
  help: `Usage: cairn-agent boot-check [--json]

Run once on every boot (systemd unit or init script). If the booted slot holds a pending
trial image, runs the configured health check; healthy → commit (slot good, anti-rollback
counter raised to the image's sequence number, older slot retired). If the bootloader
fell back to the previous slot, the failed trial is recorded (TRIAL_BOOT_FAILED).
With a ddi section configured, the result is also reported to the update server.

Exit status: 0 the running system is fine (idle, committed, or fell back to the previous
image), 1 the trial slot failed its health check (HEALTH_CHECK_FAILED): reboot so that the
bootloader falls back (the example systemd unit does this with FailureAction=reboot).
${HELP_FOOTER}`,
  async run(ctx) {
    const rt = await ctx.runtime();
    // with OTA configured, the result also goes to the server as the action's feedback
    const r = rt.config.ddi ? await (await createOtaUpdater(rt)).onBoot() : await rt.agent.onBoot();
    if (ctx.values['json'] === true) ctx.io.out(toJson(r));
    else ctx.io.out(describe(r));
    if (r.outcome === 'trial-failed') {
      const why = rt.lastHealthCheck?.reason;
      ctx.io.err(`cairn-agent boot-check: HEALTH_CHECK_FAILED${why ? `: ${why}` : ''}\n`);
      return AGENT_EXIT.FAILED;
    }
    return AGENT_EXIT.OK;
  },
};

export const markGoodCommand: CliCommand = {
  name: 'mark-good',
  summary: 'accept the running slot now (commits a pending trial)',
  positionals: [0, 0],
  options: { json: { type: 'boolean' } },
  help: `Usage: cairn-agent mark-good [--json]

Operator override: accept the running slot. A pending trial in it is committed (the
anti-rollback counter is raised) exactly as a passing health check would.
${HELP_FOOTER}`,
  async run(ctx) {
    const rt = await ctx.runtime();
    const r = await rt.agent.markGood();
    if (ctx.values['json'] === true) ctx.io.out(toJson(r));
    else ctx.io.out(r.outcome === 'committed' ? describe(r) : `slot ${r.slot} marked good\n`);
    return AGENT_EXIT.OK;
  },
};

export const markBadCommand: CliCommand = {
  name: 'mark-bad',
  summary: 'reject the running slot; the bootloader falls back on the next boot',
  positionals: [0, 0],
  options: { json: { type: 'boolean' } },
  help: `Usage: cairn-agent mark-bad [--json]

Operator override: mark the running slot bad (no boot attempts left). On the next boot
the bootloader starts the other slot. Recorded in the install log (MARKED_BAD, OPERATOR).
${HELP_FOOTER}`,
  async run(ctx) {
    const rt = await ctx.runtime();
    const slot = await rt.bootedSlot();
    await rt.agent.markBad();
    if (ctx.values['json'] === true) ctx.io.out(toJson({ outcome: 'marked-bad', slot }));
    else ctx.io.out(`slot ${slot} marked bad; reboot to fall back to the other slot\n`);
    return AGENT_EXIT.OK;
  },
};
