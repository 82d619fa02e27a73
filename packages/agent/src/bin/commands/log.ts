import type { InstallLogEntry } from '../../log/install-log.js';
import { AGENT_EXIT, toJson } from '../cli-io.js';
import { HELP_FOOTER, type CliCommand } from '../command.js';

function line(e: InstallLogEntry): string {
  const parts = [`#${e.seq}`, e.time, e.event.padEnd(11)];
  if (e.slot !== undefined) parts.push(`slot=${e.slot}`);
  if (e.sequenceNumber !== undefined) parts.push(`seq=${e.sequenceNumber}`);
  if (e.code !== undefined) parts.push(`code=${e.code}`);
  if (e.source !== undefined) parts.push(`source=${e.source}`);
  if (e.detail !== undefined) parts.push(`— ${e.detail}`);
  return parts.join(' ');
}

export const logCommand: CliCommand = {
  name: 'log',
  summary: 'print the install log (hash-chained); --verify checks the chain',
  positionals: [0, 0],
  options: { json: { type: 'boolean' }, verify: { type: 'boolean' } },
  help: `Usage: cairn-agent log [--json] [--verify]

Prints the device's append-only install log: every verification, rejection (with its
reason code), write, trial boot, commit and fallback, kept across reboots. Each record
carries the SHA-256 of the one before it.

Options:
  --json     the records as a JSON array
  --verify   check the hash chain first; a broken chain (edited, removed or reordered
             records) fails with LOG_CORRUPT and exit status 1
${HELP_FOOTER}`,
  async run(ctx) {
    const rt = await ctx.runtime();
    const verified = ctx.values['verify'] === true ? await rt.log.verify() : undefined;
    const entries = await rt.log.entries();
    if (ctx.values['json'] === true) {
      ctx.io.out(toJson(entries));
    } else {
      ctx.io.out(entries.map((e) => line(e) + '\n').join(''));
    }
    if (verified !== undefined) ctx.io.err(`install log: ${verified} records, hash chain intact\n`);
    return AGENT_EXIT.OK;
  },
};
