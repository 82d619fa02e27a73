import type { ParseArgsConfig } from 'node:util';
import type { AgentRuntime } from '../config/runtime.js';
import type { AgentConfig } from '../config/schema.js';
import type { CliIo } from './cli-io.js';

export type CliOptions = NonNullable<ParseArgsConfig['options']>;

export interface CliContext {
  readonly io: CliIo;
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly positionals: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Load and validate the configuration (once). */
  config(): Promise<AgentConfig>;
  /** Build the agent from the configuration (once). */
  runtime(): Promise<AgentRuntime>;
  /** Aborted on SIGINT/SIGTERM (the daemon stops, an install is abandoned cleanly). */
  readonly signal: AbortSignal;
}

/** One `cairn-agent` subcommand. */
export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  /** Full `--help` text. */
  readonly help: string;
  readonly options: CliOptions;
  /** Allowed number of positional arguments [min, max]. */
  readonly positionals: readonly [number, number];
  run(ctx: CliContext): Promise<number>;
}

/** Footer every command's help ends with. */
export const HELP_FOOTER = `
Global options:
  -c, --config FILE   agent configuration (default $CAIRN_AGENT_CONFIG or /etc/cairn/agent.json)
  -h, --help          this help

Exit codes: 0 ok · 1 rejected/failed (the typed reason code is printed)
            2 usage · 3 environment or configuration problem
`;
