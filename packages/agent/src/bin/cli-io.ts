import { BaseError, ValidationError } from '@cairn/core';
import { AgentConfigError } from '../config/errors.js';
import { AgentError } from '../errors.js';
import { InstallError } from '../install/errors.js';

/** cairn-agent exit codes (documented in `cairn-agent --help` and the README). */
export const AGENT_EXIT = Object.freeze({
  OK: 0,
  /** the operation ran and failed: update rejected (reason code printed), health check failed */
  FAILED: 1,
  /** bad usage: unknown command or option, missing argument */
  USAGE: 2,
  /** environment or configuration: config missing/invalid, tool missing, file unreadable */
  ENVIRONMENT: 3,
});

/** Where the CLI writes; injected so tests can capture output. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (progress redraws one line). */
  readonly errIsTty: boolean;
}

export const processIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  errIsTty: process.stderr.isTTY,
};

/** Raised for usage errors (exit 2). */
export class UsageError extends BaseError<'USAGE'> {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** Raised when a file named on the command line cannot be used (exit 3). */
export class CliFileError extends BaseError<'FILE_UNREADABLE'> {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('FILE_UNREADABLE', message, options);
  }
}

/** AgentError codes that mean the operation itself failed, not its environment. */
const FAILED_AGENT_CODES: ReadonlySet<string> = new Set(['LOG_CORRUPT', 'COUNTER_LOWER']);

/** The exit code for an error thrown by a command. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return AGENT_EXIT.USAGE;
  if (err instanceof InstallError) return AGENT_EXIT.FAILED;
  if (
    err instanceof AgentConfigError ||
    err instanceof ValidationError ||
    err instanceof CliFileError
  )
    return AGENT_EXIT.ENVIRONMENT;
  if (err instanceof AgentError)
    return FAILED_AGENT_CODES.has(err.code) ? AGENT_EXIT.FAILED : AGENT_EXIT.ENVIRONMENT;
  if (err instanceof BaseError) return AGENT_EXIT.FAILED;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return AGENT_EXIT.ENVIRONMENT;
  return AGENT_EXIT.FAILED;
}

/** JSON for --json output: bigints as decimal strings, bytes as hex. */
export function toJson(value: unknown): string {
  return (
    JSON.stringify(
      value,
      (_k, v: unknown) => {
        if (typeof v === 'bigint') return v.toString();
        if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
        return v;
      },
      2,
    ) + '\n'
  );
}
