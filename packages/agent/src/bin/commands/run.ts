import { spawn } from 'node:child_process';
import { BaseError } from '@cairn/core';
import { createOtaUpdater } from '../../config/ddi.js';
import type { PollOutcome } from '../../ddi/updater.js';
import { AGENT_EXIT, toJson, UsageError } from '../cli-io.js';
import { HELP_FOOTER, type CliCommand } from '../command.js';

const errorText = (err: unknown): string =>
  err instanceof BaseError
    ? `${err.code}: ${err.message}`
    : err instanceof Error
      ? err.message
      : String(err);

function describe(o: PollOutcome): string {
  switch (o.kind) {
    case 'idle':
      return 'no update assigned';
    case 'installed':
      return `action ${o.actionId}: installed into slot ${o.install.slot} (sequence ${o.install.sequenceNumber}); reboot to try the new image`;
    case 'awaiting-reboot':
      return `action ${o.actionId}: installed earlier, waiting for the reboot`;
    case 'rejected':
      return `action ${o.actionId}: rejected: ${o.code}`;
    case 'canceled':
      return `action ${o.actionId}: cancel request ${o.accepted ? 'accepted' : 'refused (already installed)'}`;
    case 'deferred':
      return `action ${o.actionId}: deferred (${o.reason})`;
    case 'downloaded': {
      const waiting =
        o.waitingFor === 'maintenance-window'
          ? 'waiting for the maintenance window to install it'
          : 'download-only: it installs when the server deploys it for installation';
      return o.downloadedNow
        ? `action ${o.actionId}: downloaded and verified, staged at ${o.path} (sha256 ${o.sha256}); not installed, ${waiting}`
        : `action ${o.actionId}: downloaded earlier (${o.path}); ${waiting}`;
    }
    case 'failed':
      return `poll failed: ${errorText(o.error)}`;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function runReboot(command: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: 'inherit' });
    child.on('error', () => {
      resolve(AGENT_EXIT.ENVIRONMENT);
    });
    child.on('exit', (code) => {
      resolve(code === 0 ? AGENT_EXIT.OK : AGENT_EXIT.ENVIRONMENT);
    });
  });
}

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'OTA daemon: poll the hawkBit DDI server, install assigned updates, report results',
  positionals: [0, 0],
  options: {
    once: { type: 'boolean' },
    json: { type: 'boolean' },
    'reboot-command': { type: 'string' },
  },
  help: `Usage: cairn-agent run [--once] [--reboot-command CMD] [--json]

Polls the update server's hawkBit DDI API (ddi section of the configuration) at the
interval the server sets, installs an assigned .cairn artifact through the same pipeline
as 'install' (download resumed with HTTP Range after a dropped connection), and sends
feedback at each stage. Once an update is installed the daemon stops polling: the device
must reboot into the new slot; 'boot-check' then commits it and reports the result.

A download-only action, or a deployment outside its maintenance window, is downloaded
and verified without installing it, kept in <dataDir>/staged (one bundle at most) and
reported as 'downloaded'; the daemon keeps polling and installs from the staged copy,
without downloading again, once the server allows the update.

Options:
  --once                 one poll cycle, print its outcome, exit (cron, tests)
  --reboot-command CMD   run CMD (via /bin/sh) after an install, e.g. "systemctl reboot";
                         without it the daemon exits 0 and leaves the reboot to its supervisor
  --json                 print outcomes as JSON lines
${HELP_FOOTER}`,
  async run(ctx) {
    const reboot = ctx.values['reboot-command'];
    if (reboot !== undefined && (typeof reboot !== 'string' || reboot.trim() === '')) {
      throw new UsageError('--reboot-command needs a command');
    }
    const rt = await ctx.runtime();
    const updater = await createOtaUpdater(rt);
    const print = (o: PollOutcome): void => {
      if (ctx.values['json'] !== true) {
        ctx.io.out(`${describe(o)}\n`);
        return;
      }
      const { error, ...rest } = o as PollOutcome & { error?: unknown };
      const line = error === undefined ? rest : { ...rest, error: errorText(error) };
      ctx.io.out(JSON.stringify(JSON.parse(toJson(line))) + '\n');
    };
    if (ctx.values['once'] === true) {
      const cycle = await updater.pollOnce();
      print(cycle.outcome);
      const k = cycle.outcome.kind;
      if (k === 'failed') return AGENT_EXIT.ENVIRONMENT;
      return k === 'rejected' ? AGENT_EXIT.FAILED : AGENT_EXIT.OK;
    }
    ctx.io.err(
      `cairn-agent run: polling ${rt.config.ddi?.url ?? ''} as ${rt.config.ddi?.controllerId ?? ''}\n`,
    );
    let waiting: string | undefined; // a staged action already shown: not repeated every poll
    while (!ctx.signal.aborted) {
      const cycle = await updater.pollOnce();
      const o = cycle.outcome;
      const repeat = o.kind === 'downloaded' && !o.downloadedNow && waiting === o.actionId;
      if (o.kind !== 'idle' && !repeat) print(o);
      waiting = o.kind === 'downloaded' ? o.actionId : undefined;
      if (o.kind === 'installed' || o.kind === 'awaiting-reboot') {
        return typeof reboot === 'string' ? runReboot(reboot) : AGENT_EXIT.OK;
      }
      await sleep(cycle.nextPollMs, ctx.signal);
    }
    return AGENT_EXIT.OK; // stopped by SIGINT/SIGTERM
  },
};
