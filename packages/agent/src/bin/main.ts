import { parseArgs } from 'node:util';
import { BaseError } from '@cairn/core';
import { loadAgentConfig } from '../config/load.js';
import { createAgentRuntime, type AgentRuntime } from '../config/runtime.js';
import type { AgentConfig } from '../config/schema.js';
import { AGENT_EXIT, exitCodeFor, processIo, UsageError, type CliIo } from './cli-io.js';
import { HELP_FOOTER, type CliCommand, type CliContext } from './command.js';
import { bootCheckCommand, markBadCommand, markGoodCommand } from './commands/boot.js';
import { installCommand } from './commands/install.js';
import { logCommand } from './commands/log.js';
import { runCommand } from './commands/run.js';
import { statusCommand } from './commands/status.js';

export const AGENT_COMMANDS: readonly CliCommand[] = [
  installCommand,
  statusCommand,
  bootCheckCommand,
  markGoodCommand,
  markBadCommand,
  logCommand,
  runCommand,
];

function usage(): string {
  const width = Math.max(...AGENT_COMMANDS.map((c) => c.name.length)) + 2;
  return `cairn-agent — Cairn device update agent: verify before install, anti-rollback, A/B slots

Usage: cairn-agent [--config FILE] <command> [options]   (cairn-agent <command> --help)

Commands:
${AGENT_COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}
${HELP_FOOTER}`;
}

export interface AgentCliOptions {
  readonly io?: CliIo;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal;
}

/** Split leading global options (--config, --help) from the command and its arguments. */
function splitGlobal(argv: readonly string[]): {
  config: string | undefined;
  help: boolean;
  rest: string[];
} {
  let config: string | undefined;
  let help = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') help = true;
    else if (a === '-c' || a === '--config') {
      config = argv[++i];
      if (config === undefined) throw new UsageError(`${a} needs a file argument`);
    } else if (a.startsWith('--config=')) config = a.slice('--config='.length);
    else if (a.startsWith('-')) throw new UsageError(`unknown global option '${a}'`);
    else break;
  }
  return { config, help, rest: argv.slice(i) };
}

/**
 * The `cairn-agent` command line. Returns the exit status (see AGENT_EXIT); never throws
 * for a failed operation, only prints what went wrong with its reason code.
 */
export async function runAgentCli(
  argv: readonly string[],
  opts: AgentCliOptions = {},
): Promise<number> {
  const io = opts.io ?? processIo;
  const env = opts.env ?? process.env;
  let name = 'cairn-agent';
  try {
    const global = splitGlobal(argv);
    const [cmdName, ...args] = global.rest;
    if (cmdName === undefined || cmdName === 'help') {
      io.out(usage());
      return global.help || cmdName === 'help' ? AGENT_EXIT.OK : AGENT_EXIT.USAGE;
    }
    const cmd = AGENT_COMMANDS.find((c) => c.name === cmdName);
    if (!cmd) {
      throw new UsageError(`unknown command '${cmdName}'. Run 'cairn-agent --help' for the list.`);
    }
    name = `cairn-agent ${cmd.name}`;
    if (global.help) {
      io.out(cmd.help);
      return AGENT_EXIT.OK;
    }
    const { values, positionals } = parseArgs({
      args,
      options: {
        ...cmd.options,
        help: { type: 'boolean', short: 'h' },
        config: { type: 'string', short: 'c' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (values['help'] === true) {
      io.out(cmd.help);
      return AGENT_EXIT.OK;
    }
    const [min, max] = cmd.positionals;
    if (positionals.length < min || positionals.length > max) {
      throw new UsageError(
        `takes ${min === max ? String(min) : `${min} to ${max}`} argument(s), got ${positionals.length}. See '${name} --help'.`,
      );
    }
    const configPath = typeof values['config'] === 'string' ? values['config'] : global.config;
    let config: Promise<AgentConfig> | undefined;
    let runtime: Promise<AgentRuntime> | undefined;
    const ctx: CliContext = {
      io,
      values,
      positionals,
      env,
      signal: opts.signal ?? new AbortController().signal,
      config: () =>
        (config ??= loadAgentConfig({
          ...(configPath === undefined ? {} : { path: configPath }),
          env,
        })),
      runtime: async () => (runtime ??= createAgentRuntime(await ctx.config())),
    };
    return await cmd.run(ctx);
  } catch (err) {
    const isParseError =
      err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS');
    if (isParseError) {
      io.err(`${name}: ${err.message}\n`);
      return AGENT_EXIT.USAGE;
    }
    const text =
      err instanceof UsageError
        ? err.message
        : err instanceof BaseError
          ? `${err.code}: ${err.message}`
          : err instanceof Error
            ? err.message
            : String(err);
    io.err(`${name}: ${text}\n`);
    return exitCodeFor(err);
  }
}
