import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BaseError } from '@cairn/core';

/** Exit codes every cairn command uses (documented in `cairn --help`). */
export const EXIT = Object.freeze({
  OK: 0,
  /** the operation ran and failed: verification failed, request denied, … */
  FAILED: 1,
  /** bad usage: unknown command or option, missing argument */
  USAGE: 2,
  /** the environment is not usable: file missing, service unreachable, config invalid */
  ENVIRONMENT: 3,
});

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Where a command writes; injected so tests can capture output. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

export interface CommandContext {
  readonly io: Io;
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly positionals: string[];
}

/** One `cairn` (sub)command: `path` is e.g. ['suit', 'decode']. */
export interface Command {
  readonly path: readonly string[];
  readonly summary: string;
  /** Full help text shown by `--help` (usage line, options, exit codes). */
  readonly help: string;
  readonly options: Options;
  /** Allowed number of positional arguments [min, max]. */
  readonly positionals?: readonly [number, number];
  run(ctx: CommandContext): Promise<number>;
}

/** Raised by commands for usage errors (exit code 2). */
export class UsageError extends BaseError<'USAGE'> {
  constructor(message: string) {
    super('USAGE', message);
  }
}

export function parseCommandArgs(
  cmd: Command,
  argv: readonly string[],
): CommandContext['values'] & { __positionals: string[] } {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { ...cmd.options, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  const [min, max] = cmd.positionals ?? [0, 0];
  if (!values['help'] && (positionals.length < min || positionals.length > max)) {
    throw new UsageError(
      `cairn ${cmd.path.join(' ')} takes ${min === max ? String(min) : `${min} to ${max}`} argument(s), got ${positionals.length}. See 'cairn ${cmd.path.join(' ')} --help'.`,
    );
  }
  return Object.assign(values, { __positionals: positionals });
}

/** Print a value as JSON (for --json), with bigint and bytes made readable. */
export function toJson(value: unknown): string {
  return (
    JSON.stringify(
      value,
      (_k, v: unknown) => {
        if (typeof v === 'bigint')
          return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
        if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
        return v;
      },
      2,
    ) + '\n'
  );
}
